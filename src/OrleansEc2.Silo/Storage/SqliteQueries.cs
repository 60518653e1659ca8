namespace OrleansEc2.Silo.Storage;

/// <summary>
/// The SQL Orleans' ADO.NET grain storage and reminder table run, stored in <c>OrleansQuery</c> under the keys the
/// providers read. Parameter names and result columns are the providers' contract (the same as in Orleans' scripts
/// for the other databases). Every mutation is one statement, so it is atomic on its own; a new version comes from
/// the row the statement changed (<c>RETURNING</c>), never from a separate read.
/// </summary>
public static class SqliteQueries
{
    // The grain a storage query addresses; IS compares NULL extensions as equal.
    private const string GrainMatch = """
        GrainIdHash = @GrainIdHash AND GrainTypeHash = @GrainTypeHash AND ServiceId = @ServiceId
                AND GrainIdN0 = @GrainIdN0 AND GrainIdN1 = @GrainIdN1 AND GrainTypeString = @GrainTypeString
                AND GrainIdExtensionString IS @GrainIdExtensionString
        """;

    private const string Now = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')";

    private const string ReminderColumns = "GrainId, ReminderName, StartTime, Period, Version";

    /// <summary>
    /// Writes a grain's state. With a version (the grain's ETag) it updates the row holding exactly that version;
    /// without one it inserts the first row, unless a row exists already. Either way the answer is one row holding the
    /// new version, or no row at all: Orleans turns that into <c>InconsistentStateException</c>.
    /// </summary>
    public const string WriteToStorage = $"""
        UPDATE OrleansStorage
        SET PayloadBinary = @PayloadBinary, ModifiedOn = {Now}, Version = Version + 1
        WHERE {GrainMatch}
            AND @GrainStateVersion IS NOT NULL AND Version = @GrainStateVersion
        RETURNING Version AS NewGrainStateVersion;

        INSERT INTO OrleansStorage
            (GrainIdHash, GrainIdN0, GrainIdN1, GrainTypeHash, GrainTypeString, GrainIdExtensionString, ServiceId,
             PayloadBinary, ModifiedOn, Version)
        SELECT @GrainIdHash, @GrainIdN0, @GrainIdN1, @GrainTypeHash, @GrainTypeString, @GrainIdExtensionString, @ServiceId,
             @PayloadBinary, {Now}, 1
        WHERE @GrainStateVersion IS NULL
        ON CONFLICT DO NOTHING
        RETURNING Version AS NewGrainStateVersion;
        """;

    /// <summary>Reads a grain's state and its version (no row: the grain has never been written).</summary>
    public const string ReadFromStorage = $"""
        SELECT PayloadBinary, Version
        FROM OrleansStorage
        WHERE {GrainMatch};
        """;

    /// <summary>Clears a grain's state (payload gone, version still counting), if it holds the expected version.</summary>
    public const string ClearStorage = $"""
        UPDATE OrleansStorage
        SET PayloadBinary = NULL, ModifiedOn = {Now}, Version = Version + 1
        WHERE {GrainMatch}
            AND Version = @GrainStateVersion
        RETURNING Version AS NewGrainStateVersion;
        """;

    /// <summary>Deletes a grain's row (<c>DeleteStateOnClear = true</c>), if it holds the expected version.</summary>
    public const string DeleteStorage = $"""
        DELETE FROM OrleansStorage
        WHERE {GrainMatch}
            AND Version = @GrainStateVersion
        RETURNING Version + 1 AS NewGrainStateVersion;
        """;

    /// <summary>Inserts a reminder (version 0) or replaces its schedule (version + 1); answers the new version.</summary>
    public const string UpsertReminderRow = """
        INSERT INTO OrleansRemindersTable (ServiceId, GrainId, ReminderName, StartTime, Period, GrainHash, Version)
        VALUES (@ServiceId, @GrainId, @ReminderName, @StartTime, @Period, @GrainHash, 0)
        ON CONFLICT (ServiceId, GrainId, ReminderName) DO UPDATE SET
            StartTime = excluded.StartTime,
            Period = excluded.Period,
            GrainHash = excluded.GrainHash,
            Version = OrleansRemindersTable.Version + 1
        RETURNING Version;
        """;

    public const string ReadReminderRows = $"""
        SELECT {ReminderColumns}
        FROM OrleansRemindersTable
        WHERE ServiceId = @ServiceId AND GrainId = @GrainId;
        """;

    public const string ReadReminderRow = $"""
        SELECT {ReminderColumns}
        FROM OrleansRemindersTable
        WHERE ServiceId = @ServiceId AND GrainId = @GrainId AND ReminderName = @ReminderName;
        """;

    /// <summary>Reminders whose grain hash is in (begin, end], for a range that does not wrap around.</summary>
    public const string ReadRangeRows1 = $"""
        SELECT {ReminderColumns}
        FROM OrleansRemindersTable
        WHERE ServiceId = @ServiceId AND GrainHash > @BeginHash AND GrainHash <= @EndHash;
        """;

    /// <summary>Reminders whose grain hash is in (begin, max] or [min, end], for a range that wraps around.</summary>
    public const string ReadRangeRows2 = $"""
        SELECT {ReminderColumns}
        FROM OrleansRemindersTable
        WHERE ServiceId = @ServiceId AND (GrainHash > @BeginHash OR GrainHash <= @EndHash);
        """;

    /// <summary>
    /// Deletes a reminder if it still has the expected version. The provider wants exactly one row with one column:
    /// whether a row was deleted (changes() counts the DELETE just before, on this connection).
    /// </summary>
    public const string DeleteReminderRow = """
        DELETE FROM OrleansRemindersTable
        WHERE ServiceId = @ServiceId AND GrainId = @GrainId AND ReminderName = @ReminderName AND Version = @Version;

        SELECT changes() > 0;
        """;

    public const string DeleteReminderRows = """
        DELETE FROM OrleansRemindersTable
        WHERE ServiceId = @ServiceId;
        """;

    /// <summary>Every row of <c>OrleansQuery</c>, by the key the providers look it up under.</summary>
    public static IReadOnlyDictionary<string, string> All { get; } = new Dictionary<string, string>
    {
        ["WriteToStorageKey"] = WriteToStorage,
        ["ReadFromStorageKey"] = ReadFromStorage,
        ["ClearStorageKey"] = ClearStorage,
        ["DeleteStorageKey"] = DeleteStorage,
        ["UpsertReminderRowKey"] = UpsertReminderRow,
        ["ReadReminderRowsKey"] = ReadReminderRows,
        ["ReadReminderRowKey"] = ReadReminderRow,
        ["ReadRangeRows1Key"] = ReadRangeRows1,
        ["ReadRangeRows2Key"] = ReadRangeRows2,
        ["DeleteReminderRowKey"] = DeleteReminderRow,
        ["DeleteReminderRowsKey"] = DeleteReminderRows,
    };
}
