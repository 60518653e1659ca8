using System.Data.Common;
using System.Globalization;
using Microsoft.Data.Sqlite;

namespace OrleansEc2.Silo.Storage;

/// <summary>When a committed write is on disk (SQLite's <c>synchronous</c>, in write-ahead-log mode).</summary>
public enum SqliteSynchronous
{
    /// <summary>
    /// A commit is in the log file (in the OS's hands) before the write returns: it survives the silo being killed or
    /// crashing; a power cut may lose the last commits, never corrupt the file. No flush per commit: the fast default.
    /// </summary>
    Normal,

    /// <summary>Every commit is flushed to the disk before the write returns: it survives a power cut too.</summary>
    Full,
}

/// <summary>
/// The silo's SQLite database file: grain state and reminders. Hands out connections (through
/// <see cref="DataSource"/>, which the Orleans providers use) that wait on a busy database instead of failing, and
/// brings the file's schema to <see cref="SqliteSchema.LatestVersion"/>.
/// </summary>
public sealed class SqliteDatabase : IDisposable
{
    /// <summary>The database's file name inside the data directory.</summary>
    public const string FileName = "orleans-ec2.db";

    /// <summary>The ADO.NET invariant Orleans maps to Microsoft.Data.Sqlite (it does not accept "Microsoft.Data.Sqlite").</summary>
    public const string Invariant = "System.Data.SQLite";

    public SqliteDatabase(string path, SqliteSynchronous synchronous = SqliteSynchronous.Normal, TimeSpan? busyTimeout = null)
    {
        Path = System.IO.Path.GetFullPath(path);
        Synchronous = synchronous;
        BusyTimeout = busyTimeout ?? TimeSpan.FromSeconds(30);
        ConnectionString = new SqliteConnectionStringBuilder
        {
            DataSource = Path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            DefaultTimeout = (int)Math.Ceiling(BusyTimeout.TotalSeconds),
        }.ToString();
        DataSource = new SqliteConnectionSource(this);
    }

    /// <summary>The database file's full path.</summary>
    public string Path { get; }

    /// <summary>When a commit reaches the disk (see <see cref="SqliteSynchronous"/>).</summary>
    public SqliteSynchronous Synchronous { get; }

    /// <summary>How long a statement waits for another connection's write to finish before it fails.</summary>
    public TimeSpan BusyTimeout { get; }

    public string ConnectionString { get; }

    /// <summary>Opens connections ready for use; give it to <c>AdoNetGrainStorageOptions.DataSource</c> and the like.</summary>
    public DbDataSource DataSource { get; }

    /// <summary>Opens a connection with the per-connection settings applied.</summary>
    public SqliteConnection OpenConnection()
    {
        var connection = new SqliteConnection(ConnectionString);
        try
        {
            connection.Open();
            ApplyConnectionSettings(connection);
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Creates the file and its directory if missing, switches it to write-ahead logging, and applies the migrations
    /// it lacks, all in one write transaction (so two silos starting on one file cannot both migrate it). Returns the
    /// schema version the database had before. Running it again on a current database changes nothing.
    /// </summary>
    public int EnsureSchema()
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
        using var connection = OpenConnection();

        // WAL is a property of the file (it sticks once set) and cannot be changed inside a transaction. Readers then
        // never block the writer, and a commit is one append to the log.
        Execute(connection, null, "PRAGMA journal_mode = WAL;");

        using var transaction = connection.BeginTransaction(deferred: false);
        Execute(connection, transaction, $"""
            CREATE TABLE IF NOT EXISTS {SqliteSchema.VersionTable}
            (
                Version     INTEGER NOT NULL PRIMARY KEY,
                Description TEXT    NOT NULL,
                AppliedOn   TEXT    NOT NULL
            );
            """);
        var before = ReadSchemaVersion(connection, transaction);
        if (before > SqliteSchema.LatestVersion)
        {
            throw new InvalidOperationException(
                $"The database {Path} has schema version {before}, newer than this silo knows ({SqliteSchema.LatestVersion}). "
                + "Run a newer silo, or point DataDirectory at another directory.");
        }

        foreach (var migration in SqliteSchema.Migrations.Where(m => m.Version > before))
        {
            Execute(connection, transaction, migration.Sql);
            using var record = connection.CreateCommand();
            record.Transaction = transaction;
            record.CommandText = $"""
                INSERT INTO {SqliteSchema.VersionTable} (Version, Description, AppliedOn)
                VALUES (@Version, @Description, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
                """;
            record.Parameters.AddWithValue("@Version", migration.Version);
            record.Parameters.AddWithValue("@Description", migration.Description);
            record.ExecuteNonQuery();
        }

        // The queries always match the code that runs them, whatever version wrote them before.
        foreach (var (key, text) in SqliteQueries.All)
        {
            using var upsert = connection.CreateCommand();
            upsert.Transaction = transaction;
            upsert.CommandText = """
                INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES (@QueryKey, @QueryText)
                ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText;
                """;
            upsert.Parameters.AddWithValue("@QueryKey", key);
            upsert.Parameters.AddWithValue("@QueryText", text);
            upsert.ExecuteNonQuery();
        }

        transaction.Commit();
        return before;
    }

    /// <summary>The schema version the database has (0: none).</summary>
    public int ReadSchemaVersion()
    {
        using var connection = OpenConnection();
        using var exists = connection.CreateCommand();
        exists.CommandText = "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = @Name;";
        exists.Parameters.AddWithValue("@Name", SqliteSchema.VersionTable);
        return Convert.ToInt64(exists.ExecuteScalar(), CultureInfo.InvariantCulture) == 0 ? 0 : ReadSchemaVersion(connection, null);
    }

    /// <summary>Closes the pooled connections to the file (the write-ahead log is checkpointed as the last one closes).</summary>
    public void Dispose()
    {
        using var connection = new SqliteConnection(ConnectionString);
        SqliteConnection.ClearPool(connection);
    }

    internal void ApplyConnectionSettings(SqliteConnection connection)
    {
        // busy_timeout lets SQLite itself wait (in short steps) for a writer on another connection instead of
        // answering SQLITE_BUSY.
        var synchronous = Synchronous == SqliteSynchronous.Full ? "FULL" : "NORMAL";
        Execute(connection, null, string.Create(
            CultureInfo.InvariantCulture,
            $"PRAGMA busy_timeout = {(long)BusyTimeout.TotalMilliseconds}; PRAGMA synchronous = {synchronous};"));
    }

    private static int ReadSchemaVersion(SqliteConnection connection, SqliteTransaction? transaction)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = $"SELECT ifnull(max(Version), 0) FROM {SqliteSchema.VersionTable};";
        return Convert.ToInt32(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    private static void Execute(SqliteConnection connection, SqliteTransaction? transaction, string sql)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    /// <summary>The <see cref="DbDataSource"/> the Orleans providers open their connections from.</summary>
    private sealed class SqliteConnectionSource(SqliteDatabase database) : DbDataSource
    {
        public override string ConnectionString => database.ConnectionString;

        protected override DbConnection CreateDbConnection() => new SqliteConnection(database.ConnectionString);

        protected override DbConnection OpenDbConnection() => database.OpenConnection();

        protected override ValueTask<DbConnection> OpenDbConnectionAsync(CancellationToken cancellationToken)
        {
            // Microsoft.Data.Sqlite opens synchronously anyway.
            cancellationToken.ThrowIfCancellationRequested();
            return ValueTask.FromResult<DbConnection>(database.OpenConnection());
        }
    }
}
