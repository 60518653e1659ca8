using OrleansEc2.Silo.Storage;
using OrleansEc2.Testing;

namespace OrleansEc2.Silo.Tests;

/// <summary>Creating and migrating the database file.</summary>
public sealed class SqliteSchemaTests : IDisposable
{
    private readonly string _directory = TestSettings.NewTemporaryDirectory("sqlite-schema");
    private readonly SqliteDatabase _database;

    public SqliteSchemaTests() => _database = new SqliteDatabase(Path.Combine(_directory, "nested", SqliteDatabase.FileName));

    [Fact]
    public void EnsureSchema_OnANewFile_AppliesEveryMigration_AndASecondRunChangesNothing()
    {
        var first = _database.EnsureSchema();
        var second = _database.EnsureSchema();

        first.Should().Be(0);
        second.Should().Be(SqliteSchema.LatestVersion);
        Query<long>("SELECT Version FROM SchemaVersion ORDER BY Version;").Should().Equal(SqliteSchema.Migrations.Select(m => (long)m.Version));
        Query<string>("SELECT QueryKey FROM OrleansQuery ORDER BY QueryKey;").Should().Equal(SqliteQueries.All.Keys.Order(StringComparer.Ordinal));
        Query<string>("PRAGMA journal_mode;").Should().Equal("wal");
    }

    [Fact]
    public void EnsureSchema_PutsBackTheQueriesThisVersionRuns()
    {
        _database.EnsureSchema();
        Execute("UPDATE OrleansQuery SET QueryText = 'SELECT 1;' WHERE QueryKey = 'WriteToStorageKey';");

        _database.EnsureSchema();

        Query<string>("SELECT QueryText FROM OrleansQuery WHERE QueryKey = 'WriteToStorageKey';").Should().Equal(SqliteQueries.WriteToStorage);
    }

    [Fact]
    public void EnsureSchema_OnADatabaseFromANewerVersion_RefusesToTouchIt()
    {
        _database.EnsureSchema();
        Execute("INSERT INTO SchemaVersion (Version, Description, AppliedOn) VALUES (99, 'from the future', 'now');");

        var ensure = () => _database.EnsureSchema();

        ensure.Should().Throw<InvalidOperationException>().WithMessage($"*schema version 99, newer than this silo knows ({SqliteSchema.LatestVersion})*");
        _database.ReadSchemaVersion().Should().Be(99);
    }

    [Fact]
    public void ReadSchemaVersion_OfAnEmptyFile_IsZero()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(_database.Path)!);

        _database.ReadSchemaVersion().Should().Be(0);
    }

    public void Dispose()
    {
        _database.Dispose();
        TestSettings.DeleteDirectory(_directory);
    }

    private List<T> Query<T>(string sql)
    {
        using var connection = _database.OpenConnection();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var values = new List<T>();
        while (reader.Read())
        {
            values.Add(reader.GetFieldValue<T>(0));
        }

        return values;
    }

    private void Execute(string sql)
    {
        using var connection = _database.OpenConnection();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
