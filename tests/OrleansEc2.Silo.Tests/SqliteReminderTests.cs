using System.Diagnostics;

namespace OrleansEc2.Silo.Tests;

/// <summary>Reminders in SQLite through Orleans' ADO.NET reminder table and the project's queries.</summary>
public sealed class SqliteReminderTests(SqliteClusterFixture fixture) : IClassFixture<SqliteClusterFixture>
{
    private SqliteCluster Sqlite => fixture.Cluster;

    [Fact]
    public async Task UpsertRow_StartsAtVersion0_AndCountsUpdates()
    {
        var table = Sqlite.ReminderTable;
        var entry = NewEntry(TimeSpan.FromMinutes(5));

        var first = await table.UpsertRow(entry);
        entry.Period = TimeSpan.FromMinutes(7);
        var second = await table.UpsertRow(entry);

        first.Should().Be("0");
        second.Should().Be("1");
        var read = await table.ReadRow(entry.GrainId, entry.ReminderName);
        read.Should().NotBeNull();
        read!.Period.Should().Be(TimeSpan.FromMinutes(7));
        read.StartAt.Should().Be(entry.StartAt);
        read.StartAt.Kind.Should().Be(DateTimeKind.Utc);
        read.ETag.Should().Be("1");
    }

    [Fact]
    public async Task Period_LongerThanInt32Milliseconds_IsKeptExactly()
    {
        var table = Sqlite.ReminderTable;
        var entry = NewEntry(TimeSpan.FromDays(40));

        await table.UpsertRow(entry);

        (await table.ReadRow(entry.GrainId, entry.ReminderName))!.Period.Should().Be(TimeSpan.FromDays(40));
    }

    [Fact]
    public async Task ReadRows_OfAGrain_ReturnsItsRemindersOnly()
    {
        var table = Sqlite.ReminderTable;
        var grainId = NewGrainId();
        await table.UpsertRow(NewEntry(TimeSpan.FromMinutes(1), grainId, "a"));
        await table.UpsertRow(NewEntry(TimeSpan.FromMinutes(1), grainId, "b"));
        await table.UpsertRow(NewEntry(TimeSpan.FromMinutes(1)));

        var rows = await table.ReadRows(grainId);

        rows.Reminders.Select(r => r.ReminderName).Order(StringComparer.Ordinal).Should().Equal("a", "b");
    }

    [Fact]
    public async Task RemoveRow_WithAStaleETag_KeepsTheReminder_AndWithTheCurrentOneDeletesIt()
    {
        var table = Sqlite.ReminderTable;
        var entry = NewEntry(TimeSpan.FromMinutes(1));
        var stale = await table.UpsertRow(entry);
        var current = await table.UpsertRow(entry);

        (await table.RemoveRow(entry.GrainId, entry.ReminderName, stale!)).Should().BeFalse();
        (await table.ReadRow(entry.GrainId, entry.ReminderName)).Should().NotBeNull();

        (await table.RemoveRow(entry.GrainId, entry.ReminderName, current!)).Should().BeTrue();
        (await table.ReadRow(entry.GrainId, entry.ReminderName)).Should().BeNull();
    }

    [Theory]
    [InlineData(0x10000000u, 0x70000000u)] // inside the positive half
    [InlineData(0x90000000u, 0xF0000000u)] // inside the negative half (as signed)
    [InlineData(0x70000000u, 0x90000000u)] // across the sign boundary
    [InlineData(0xF0000000u, 0x10000000u)] // wrapping around zero
    [InlineData(0x40000000u, 0x40000000u)] // the whole ring
    public async Task ReadRows_OfAHashRange_ReturnsExactlyTheRemindersInIt(uint begin, uint end)
    {
        // A ServiceId of its own, so the range holds only this test's rows.
        var table = Sqlite.ReminderTable;
        var name = "range-" + Guid.NewGuid().ToString("n");
        var grainIds = Enumerable.Range(0, 64).Select(_ => NewGrainId()).ToList();
        foreach (var grainId in grainIds)
        {
            await table.UpsertRow(NewEntry(TimeSpan.FromMinutes(1), grainId, name));
        }

        var rows = await table.ReadRows(begin, end);

        var expected = grainIds.Where(g => InRange(g.GetUniformHashCode(), begin, end)).Select(g => g.ToString()).Order(StringComparer.Ordinal);
        rows.Reminders.Where(r => r.ReminderName == name).Select(r => r.GrainId.ToString()).Order(StringComparer.Ordinal)
            .Should().Equal(expected);
    }

    [Fact]
    public async Task Reminders_RegisteredByAGrain_AreListedAndUnregistered()
    {
        var grain = Sqlite.Grains.GetGrain<IReminderTestGrain>(NewKey());
        await grain.RegisterAsync("a", TimeSpan.FromHours(1), TimeSpan.FromHours(1));
        await grain.RegisterAsync("b", TimeSpan.FromHours(1), TimeSpan.FromHours(1));

        (await grain.GetReminderNamesAsync()).Should().Equal("a", "b");

        await grain.UnregisterAsync("a");

        (await grain.GetReminderNamesAsync()).Should().Equal("b");
    }

    [Fact]
    public async Task Reminder_Fires_AndItsGrainPersistsTheTick()
    {
        var grain = Sqlite.Grains.GetGrain<IReminderTestGrain>(NewKey());

        await grain.RegisterAsync("tick", TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));

        (await WaitForTicksAsync(grain, atLeast: 1)).Should().BeGreaterThanOrEqualTo(1);
        await grain.UnregisterAsync("tick");
    }

    [Fact]
    public async Task Reminder_SurvivesAClusterRestart_AndFiresAgainAfterIt()
    {
        await using var sqlite = await SqliteCluster.StartAsync();
        var key = NewKey();
        await sqlite.Grains.GetGrain<IReminderTestGrain>(key).RegisterAsync("tick", TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
        var before = await WaitForTicksAsync(sqlite.Grains.GetGrain<IReminderTestGrain>(key), atLeast: 1);

        await sqlite.RestartAsync();

        var grain = sqlite.Grains.GetGrain<IReminderTestGrain>(key);
        (await grain.GetReminderNamesAsync()).Should().Equal("tick");
        (await WaitForTicksAsync(grain, atLeast: before + 1)).Should().BeGreaterThan(before);
    }

    /// <summary>Polls the grain's persisted tick count until it reaches <paramref name="atLeast"/> (30 s at most).</summary>
    private static async Task<int> WaitForTicksAsync(IReminderTestGrain grain, int atLeast)
    {
        var waited = Stopwatch.StartNew();
        while (true)
        {
            var ticks = await grain.GetTicksAsync();
            if (ticks >= atLeast || waited.Elapsed > TimeSpan.FromSeconds(30))
            {
                return ticks;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100));
        }
    }

    /// <summary>The range (begin, end] on the ring of uint hashes; begin == end is the whole ring.</summary>
    private static bool InRange(uint hash, uint begin, uint end) =>
        begin < end ? hash > begin && hash <= end : hash > begin || hash <= end;

    private static ReminderEntry NewEntry(TimeSpan period, GrainId? grainId = null, string? name = null) => new()
    {
        GrainId = grainId ?? NewGrainId(),
        ReminderName = name ?? "r-" + Guid.NewGuid().ToString("n")[..8],
        StartAt = new DateTime(2008, 10, 2, 9, 31, 44, DateTimeKind.Utc).AddTicks(1234567),
        Period = period,
    };

    private static GrainId NewGrainId() => GrainId.Create("remindertest", NewKey());

    private static string NewKey() => "k" + Guid.NewGuid().ToString("n");
}
