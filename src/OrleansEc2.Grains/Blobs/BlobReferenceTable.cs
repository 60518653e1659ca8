using Microsoft.Data.Sqlite;

namespace OrleansEc2.Grains.Blobs;

/// <summary>
/// Who refers to which blob, in a small SQLite database beside the blobs (WAL, synchronous=FULL, so a recorded reference
/// survives a crash). Not thread-safe: <see cref="FileBlobStore"/> serializes every use.
/// </summary>
internal sealed class BlobReferenceTable : IDisposable
{
    private readonly SqliteConnection _connection;

    public BlobReferenceTable(string path)
    {
        var connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = false,
        }.ToString();
        _connection = new SqliteConnection(connectionString);
        _connection.Open();
        Execute("PRAGMA journal_mode=WAL;");
        Execute("PRAGMA synchronous=FULL;");
        Execute(
            """
            CREATE TABLE IF NOT EXISTS BlobReferences (
                Hash TEXT NOT NULL,
                Holder TEXT NOT NULL,
                PRIMARY KEY (Hash, Holder)
            ) WITHOUT ROWID;
            CREATE INDEX IF NOT EXISTS BlobReferencesByHolder ON BlobReferences (Holder);
            """);
    }

    public void Add(string hash, string holder) =>
        Execute("INSERT OR IGNORE INTO BlobReferences (Hash, Holder) VALUES ($hash, $holder);", hash, holder);

    public void Remove(string hash, string holder) =>
        Execute("DELETE FROM BlobReferences WHERE Hash = $hash AND Holder = $holder;", hash, holder);

    public bool IsReferenced(string hash)
    {
        using var command = Command("SELECT 1 FROM BlobReferences WHERE Hash = $hash LIMIT 1;", hash, null);
        return command.ExecuteScalar() is not null;
    }

    public List<string> HoldersOf(string hash)
    {
        using var command = Command("SELECT Holder FROM BlobReferences WHERE Hash = $hash ORDER BY Holder;", hash, null);
        using var reader = command.ExecuteReader();
        var holders = new List<string>();
        while (reader.Read())
        {
            holders.Add(reader.GetString(0));
        }

        return holders;
    }

    /// <summary>
    /// The references whose holder begins with <paramref name="prefix"/>: a range of the holder index, from the prefix
    /// to the prefix with its last character one higher (the ASCII prefixes the grains use; anything else scans).
    /// </summary>
    public List<BlobReference> WithHolderPrefix(string prefix)
    {
        ArgumentException.ThrowIfNullOrEmpty(prefix);
        var last = prefix[^1];
        var ranged = last < '\u007f';
        using var command = Command(
            ranged
                ? "SELECT Hash, Holder FROM BlobReferences WHERE Holder >= $holder AND Holder < $above ORDER BY Holder;"
                : "SELECT Hash, Holder FROM BlobReferences WHERE substr(Holder, 1, length($holder)) = $holder ORDER BY Holder;",
            null,
            prefix);
        if (ranged)
        {
            command.Parameters.AddWithValue("$above", prefix[..^1] + (char)(last + 1));
        }

        using var reader = command.ExecuteReader();
        var references = new List<BlobReference>();
        while (reader.Read())
        {
            references.Add(new BlobReference(reader.GetString(0), reader.GetString(1)));
        }

        return references;
    }

    public void Dispose() => _connection.Dispose();

    private void Execute(string sql, string? hash = null, string? holder = null)
    {
        using var command = Command(sql, hash, holder);
        command.ExecuteNonQuery();
    }

    private SqliteCommand Command(string sql, string? hash, string? holder)
    {
        var command = _connection.CreateCommand();
        command.CommandText = sql;
        if (hash is not null)
        {
            command.Parameters.AddWithValue("$hash", hash);
        }

        if (holder is not null)
        {
            command.Parameters.AddWithValue("$holder", holder);
        }

        return command;
    }
}
