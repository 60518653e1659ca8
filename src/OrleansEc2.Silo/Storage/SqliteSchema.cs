namespace OrleansEc2.Silo.Storage;

/// <summary>One step of the database's schema: applied once, in order, and recorded in <c>SchemaVersion</c>.</summary>
/// <param name="Version">The version the database has once this step is applied (1, 2, …).</param>
/// <param name="Description">What the step does, kept in the version row.</param>
/// <param name="Sql">The statements; they run inside the migration's transaction.</param>
public sealed record SqliteMigration(int Version, string Description, string Sql);

/// <summary>
/// The SQLite schema the silo keeps its grain state and reminders in. Orleans' ADO.NET providers ship no SQLite
/// script, so these tables (shaped like Orleans' own for the other databases) are the project's. A later version
/// appends a migration; it never edits one that has shipped.
/// </summary>
public static class SqliteSchema
{
    /// <summary>The table recording which migrations a database has had.</summary>
    public const string VersionTable = "SchemaVersion";

    public static IReadOnlyList<SqliteMigration> Migrations { get; } =
    [
        new(1, "Orleans query table, grain state, reminders", """
            CREATE TABLE OrleansQuery
            (
                QueryKey  TEXT NOT NULL PRIMARY KEY,
                QueryText TEXT NOT NULL
            );

            -- Grain state, one row per (service, grain type, grain id). The hashes lead the key so a lookup is an
            -- index seek on two integers; the remaining columns resolve hash collisions. Unlike the other dialects'
            -- table the key is UNIQUE, so a write can never match two rows (dotnet/orleans#11303).
            -- GrainIdExtensionString is NULL for a grain without a key extension (string keys are kept there too).
            CREATE TABLE OrleansStorage
            (
                GrainIdHash            INTEGER NOT NULL,
                GrainIdN0              INTEGER NOT NULL,
                GrainIdN1              INTEGER NOT NULL,
                GrainTypeHash          INTEGER NOT NULL,
                GrainTypeString        TEXT    NOT NULL,
                GrainIdExtensionString TEXT    NULL,
                ServiceId              TEXT    NOT NULL,
                PayloadBinary          BLOB    NULL,
                ModifiedOn             TEXT    NOT NULL,
                Version                INTEGER NOT NULL
            );

            CREATE UNIQUE INDEX UX_OrleansStorage_Grain ON OrleansStorage
            (
                GrainIdHash, GrainTypeHash, ServiceId, GrainIdN0, GrainIdN1, GrainTypeString,
                GrainIdExtensionString IS NULL, ifnull(GrainIdExtensionString, '')
            );

            -- Reminders, as Orleans' other dialects keep them. StartTime is UTC text ('yyyy-MM-dd HH:mm:ss.FFFFFFF',
            -- as Microsoft.Data.Sqlite writes a DateTime), Period is in milliseconds, GrainHash is the grain's uniform
            -- hash as a signed 32-bit integer (how the provider binds it, and what the range queries compare).
            CREATE TABLE OrleansRemindersTable
            (
                ServiceId    TEXT    NOT NULL,
                GrainId      TEXT    NOT NULL,
                ReminderName TEXT    NOT NULL,
                StartTime    TEXT    NOT NULL,
                Period       INTEGER NOT NULL,
                GrainHash    INTEGER NOT NULL,
                Version      INTEGER NOT NULL,
                PRIMARY KEY (ServiceId, GrainId, ReminderName)
            );

            CREATE INDEX IX_OrleansRemindersTable_GrainHash ON OrleansRemindersTable (ServiceId, GrainHash);
            """),
    ];

    /// <summary>The version a database has once every known migration is applied.</summary>
    public static int LatestVersion => Migrations[^1].Version;
}
