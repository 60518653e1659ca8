using Microsoft.Extensions.DependencyInjection;
using Orleans.Configuration;
using Orleans.Serialization;
using Orleans.Storage;

namespace OrleansEc2.Silo.Storage;

/// <summary>How a silo keeps its grain state and reminders in one SQLite file, through Orleans' ADO.NET providers.</summary>
public static class SqliteSiloBuilderExtensions
{
    /// <summary>
    /// Puts the silo's reminders in the SQLite file at <paramref name="databasePath"/>, and makes the file available
    /// to <see cref="AddSqliteGrainStorage"/>. The file and its schema are created (or migrated) as the silo starts,
    /// before any provider reads its queries. Rows are keyed by the cluster's ServiceId: keep it fixed to find them
    /// again after a restart.
    /// </summary>
    public static ISiloBuilder UseSqlite(
        this ISiloBuilder silo,
        string databasePath,
        SqliteSynchronous synchronous = SqliteSynchronous.Normal)
    {
        if (silo.Services.Any(d => d.ServiceType == typeof(SqliteDatabase)))
        {
            throw new InvalidOperationException("UseSqlite was called already: a silo has one database.");
        }

        // Owned by the container, so stopping the silo closes the pooled connections (and checkpoints the log).
        silo.Services.AddSingleton(_ => new SqliteDatabase(databasePath, synchronous));
        silo.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, SqliteSchemaParticipant>();
        silo.UseAdoNetReminderService(options => options.Configure<SqliteDatabase>((reminders, database) =>
        {
            reminders.Invariant = SqliteDatabase.Invariant;
            reminders.DataSource = database.DataSource;
        }));
        return silo;
    }

    /// <summary>
    /// A grain storage provider named <paramref name="storageName"/> on the database of <see cref="UseSqlite"/>.
    /// Grains see it through <see cref="GrainTypeScopedStorage"/>, so state of different grain types never mixes.
    /// State is written with Orleans' serializer.
    /// <paramref name="configure"/> can change the provider's options (<c>DeleteStateOnClear</c>, say).
    /// </summary>
    public static ISiloBuilder AddSqliteGrainStorage(
        this ISiloBuilder silo,
        string storageName,
        Action<AdoNetGrainStorageOptions>? configure = null)
    {
        var adoNetName = AdoNetStorageName(storageName);
        silo.AddAdoNetGrainStorage(adoNetName, options => options.Configure<SqliteDatabase, Serializer>((storage, database, serializer) =>
        {
            storage.Invariant = SqliteDatabase.Invariant;
            storage.DataSource = database.DataSource;

            // Orleans' own serializer, as state classes are written for it ([GenerateSerializer], [Id], [Alias]):
            // fields are matched by id and types by alias, so a state survives renames and added fields. Orleans'
            // default for storage is JSON with CLR type names, which a moved or renamed class no longer reads.
            storage.GrainStorageSerializer = new OrleansGrainStorageSerializer(serializer);
            configure?.Invoke(storage);
        }));
        silo.Services.AddKeyedSingleton<IGrainStorage>(
            storageName,
            (services, _) => new GrainTypeScopedStorage(services.GetRequiredKeyedService<IGrainStorage>(adoNetName)));
        return silo;
    }

    /// <summary>The name the ADO.NET provider behind <paramref name="storageName"/> is registered under.</summary>
    public static string AdoNetStorageName(string storageName) => storageName + ".adonet";

    private sealed class SqliteSchemaParticipant(SqliteDatabase database) : ILifecycleParticipant<ISiloLifecycle>
    {
        public void Participate(ISiloLifecycle lifecycle) => lifecycle.Subscribe(
            nameof(SqliteSchemaParticipant),
            ServiceLifecycleStage.RuntimeInitialize,
            _ =>
            {
                database.EnsureSchema();
                return Task.CompletedTask;
            });
    }
}
