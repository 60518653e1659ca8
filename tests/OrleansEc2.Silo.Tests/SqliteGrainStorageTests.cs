using Microsoft.Data.Sqlite;
using Orleans.Storage;
using OrleansEc2.Silo.Storage;

namespace OrleansEc2.Silo.Tests;

/// <summary>Grain state in SQLite through Orleans' ADO.NET storage and the project's queries.</summary>
public sealed class SqliteGrainStorageTests(SqliteClusterFixture fixture) : IClassFixture<SqliteClusterFixture>
{
    private SqliteCluster Sqlite => fixture.Cluster;

    [Fact]
    public async Task Write_ThenReadInANewActivation_ReturnsTheWrittenState()
    {
        var grain = Sqlite.Grains.GetGrain<IStateTestGrain>(NewKey());
        await grain.SetAsync("first");
        await grain.SetAsync("second");

        await Sqlite.Cluster.DeactivateAsync(grain);

        (await grain.GetAsync()).Should().Be("second");
        (await grain.GetETagAsync()).Should().Be("2");
    }

    [Fact]
    public async Task Write_StoresVersion1First_ThenAddsOnePerWrite()
    {
        var storage = Sqlite.AdoNetStorage();
        var grainId = NewGrainId();
        var state = new GrainState<TextState>(new TextState { Value = "a" });

        await storage.WriteStateAsync("state", grainId, state);
        state.ETag.Should().Be("1");
        state.RecordExists.Should().BeTrue();

        state.State!.Value = "b";
        await storage.WriteStateAsync("state", grainId, state);
        state.ETag.Should().Be("2");

        var read = new GrainState<TextState>();
        await storage.ReadStateAsync("state", grainId, read);
        read.State!.Value.Should().Be("b");
        read.ETag.Should().Be("2");
        read.RecordExists.Should().BeTrue();
    }

    [Fact]
    public async Task Read_OfAGrainNeverWritten_GivesADefaultStateWithoutETag()
    {
        var read = new GrainState<TextState>();

        await Sqlite.AdoNetStorage().ReadStateAsync("state", NewGrainId(), read);

        read.State.Should().NotBeNull();
        read.State!.Value.Should().BeNull();
        read.ETag.Should().BeNull();
        read.RecordExists.Should().BeFalse();
    }

    [Fact]
    public async Task Write_WithAStaleETag_FailsWithInconsistentStateException_AndKeepsTheNewerState()
    {
        var storage = Sqlite.AdoNetStorage();
        var grainId = NewGrainId();
        var first = new GrainState<TextState>(new TextState { Value = "original" });
        await storage.WriteStateAsync("state", grainId, first);
        var stale = new GrainState<TextState>(new TextState { Value = "stale" }, first.ETag);
        first.State!.Value = "newer";
        await storage.WriteStateAsync("state", grainId, first);

        var write = () => storage.WriteStateAsync("state", grainId, stale);

        await write.Should().ThrowAsync<InconsistentStateException>();
        var read = new GrainState<TextState>();
        await storage.ReadStateAsync("state", grainId, read);
        read.State!.Value.Should().Be("newer");
        read.ETag.Should().Be("2");
    }

    [Fact]
    public async Task FirstWrite_WhenTheStateExistsAlready_FailsWithInconsistentStateException()
    {
        var storage = Sqlite.AdoNetStorage();
        var grainId = NewGrainId();
        await storage.WriteStateAsync("state", grainId, new GrainState<TextState>(new TextState { Value = "one" }));

        var write = () => storage.WriteStateAsync("state", grainId, new GrainState<TextState>(new TextState { Value = "two" }));

        await write.Should().ThrowAsync<InconsistentStateException>();
    }

    [Fact]
    public async Task Write_WithAnETag_WhenNothingIsStored_FailsWithInconsistentStateException()
    {
        var write = () => Sqlite.AdoNetStorage().WriteStateAsync(
            "state", NewGrainId(), new GrainState<TextState>(new TextState { Value = "x" }, "3"));

        await write.Should().ThrowAsync<InconsistentStateException>();
    }

    [Fact]
    public async Task Clear_EmptiesTheState_KeepsCountingVersions_AndAllowsWritingAgain()
    {
        var storage = Sqlite.AdoNetStorage();
        var grainId = NewGrainId();
        var state = new GrainState<TextState>(new TextState { Value = "kept" });
        await storage.WriteStateAsync("state", grainId, state);

        await storage.ClearStateAsync("state", grainId, state);

        state.ETag.Should().Be("2");
        state.RecordExists.Should().BeFalse();
        var read = new GrainState<TextState>();
        await storage.ReadStateAsync("state", grainId, read);
        read.State!.Value.Should().BeNull();
        read.ETag.Should().Be("2");
        read.RecordExists.Should().BeFalse();

        read.State!.Value = "again";
        await storage.WriteStateAsync("state", grainId, read);
        read.ETag.Should().Be("3");
    }

    [Fact]
    public async Task Clear_WithAStaleETag_FailsWithInconsistentStateException()
    {
        var storage = Sqlite.AdoNetStorage();
        var grainId = NewGrainId();
        var state = new GrainState<TextState>(new TextState { Value = "v1" });
        await storage.WriteStateAsync("state", grainId, state);
        var stale = new GrainState<TextState>(new TextState { Value = "v1" }, state.ETag) { RecordExists = true };
        await storage.WriteStateAsync("state", grainId, state);

        var clear = () => storage.ClearStateAsync("state", grainId, stale);

        await clear.Should().ThrowAsync<InconsistentStateException>();
    }

    [Fact]
    public async Task Clear_WithDeleteStateOnClear_RemovesTheRow()
    {
        var storage = Sqlite.AdoNetStorage(SqliteCluster.DeletingStorageName);
        var grainId = NewGrainId();
        var state = new GrainState<TextState>(new TextState { Value = "gone soon" });
        await storage.WriteStateAsync("state", grainId, state);

        await storage.ClearStateAsync("state", grainId, state);

        state.ETag.Should().BeNull();
        CountRows(grainId).Should().Be(0);
        await storage.WriteStateAsync("state", grainId, state);
        state.ETag.Should().Be("1");
    }

    [Fact]
    public async Task GrainsOfDifferentTypes_WithTheSameKeyAndStateName_KeepTheirOwnState()
    {
        var key = NewKey();
        await Sqlite.Grains.GetGrain<IStateTestGrain>(key).SetAsync("mine");
        await Sqlite.Grains.GetGrain<IOtherStateTestGrain>(key).SetAsync("theirs");

        await Sqlite.Cluster.DeactivateAsync(Sqlite.Grains.GetGrain<IStateTestGrain>(key));
        await Sqlite.Cluster.DeactivateAsync(Sqlite.Grains.GetGrain<IOtherStateTestGrain>(key));

        (await Sqlite.Grains.GetGrain<IStateTestGrain>(key).GetAsync()).Should().Be("mine");
        (await Sqlite.Grains.GetGrain<IOtherStateTestGrain>(key).GetAsync()).Should().Be("theirs");
    }

    [Fact]
    public async Task Keys_DifferingOnlyInTheirExtension_AreStoredApart()
    {
        var storage = Sqlite.AdoNetStorage();
        var type = GrainType.Create("extensiontest" + Guid.NewGuid().ToString("n")[..8]);
        var plain = GrainId.Create(type, GrainIdKeyExtensions.CreateIntegerKey(7));
        var extended = GrainId.Create(type, GrainIdKeyExtensions.CreateIntegerKey(7, "x"));
        var guid = Guid.NewGuid();
        var guidPlain = GrainId.Create(type, GrainIdKeyExtensions.CreateGuidKey(guid));
        var guidExtended = GrainId.Create(type, GrainIdKeyExtensions.CreateGuidKey(guid, "x"));

        foreach (var (grainId, value) in new[] { (plain, "7"), (extended, "7+x"), (guidPlain, "g"), (guidExtended, "g+x") })
        {
            await storage.WriteStateAsync("state", grainId, new GrainState<TextState>(new TextState { Value = value }));
        }

        var values = new List<string?>();
        foreach (var grainId in new[] { plain, extended, guidPlain, guidExtended })
        {
            var read = new GrainState<TextState>();
            await storage.ReadStateAsync("state", grainId, read);
            values.Add(read.State!.Value);
        }

        values.Should().Equal("7", "7+x", "g", "g+x");
    }

    [Fact]
    public async Task ManyGrains_WritingAtOnce_AllCommitEveryWrite()
    {
        const int grains = 100;
        const int writesEach = 10;
        var prefix = NewKey();

        await Task.WhenAll(Enumerable.Range(0, grains).Select(async i =>
        {
            var grain = Sqlite.Grains.GetGrain<IStateTestGrain>($"{prefix}-{i}");
            for (var n = 1; n <= writesEach; n++)
            {
                await grain.SetAsync($"{i}:{n}");
            }
        }));

        using var connection = new SqliteConnection($"Data Source={Sqlite.DatabasePath}");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT count(*) FROM OrleansStorage
            WHERE GrainTypeString = 'statetest/state' AND GrainIdExtensionString LIKE @Prefix AND Version = @Version;
            """;
        command.Parameters.AddWithValue("@Prefix", prefix + "-%");
        command.Parameters.AddWithValue("@Version", writesEach);
        Convert.ToInt32(command.ExecuteScalar()).Should().Be(grains);
    }

    [Fact]
    public async Task StoredState_NamesNoClrType_SoAStateClassCanBeRenamedOrMoved()
    {
        var key = NewKey();
        await Sqlite.Grains.GetGrain<IStateTestGrain>(key).SetAsync("payload-marker");

        using var connection = new SqliteConnection($"Data Source={Sqlite.DatabasePath}");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT PayloadBinary FROM OrleansStorage WHERE GrainTypeString = 'statetest/state' AND GrainIdExtensionString = @Key;";
        command.Parameters.AddWithValue("@Key", key);
        var payload = System.Text.Encoding.UTF8.GetString((byte[])command.ExecuteScalar()!);

        payload.Should().Contain("payload-marker");
        payload.Should().NotContain(nameof(TextState)).And.NotContain("OrleansEc2.Silo.Tests,");
    }

    [Fact]
    public void Schema_RejectsASecondRowForTheSameGrainState()
    {
        using var connection = new SqliteConnection($"Data Source={Sqlite.DatabasePath}");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO OrleansStorage (GrainIdHash, GrainIdN0, GrainIdN1, GrainTypeHash, GrainTypeString, GrainIdExtensionString, ServiceId, PayloadBinary, ModifiedOn, Version)
            VALUES (1, 0, 0, 2, 'duplicate/state', @Key, 'svc', NULL, 'now', 1),
                   (1, 0, 0, 2, 'duplicate/state', @Key, 'svc', NULL, 'now', 5);
            """;
        command.Parameters.AddWithValue("@Key", NewKey());

        var insert = () => command.ExecuteNonQuery();

        insert.Should().Throw<SqliteException>().Which.Message.Should().Contain("UNIQUE constraint failed");
    }

    private int CountRows(GrainId grainId)
    {
        using var connection = new SqliteConnection($"Data Source={Sqlite.DatabasePath}");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM OrleansStorage WHERE GrainIdExtensionString = @Key;";
        command.Parameters.AddWithValue("@Key", grainId.Key.ToString());
        return Convert.ToInt32(command.ExecuteScalar());
    }

    private static string NewKey() => "k" + Guid.NewGuid().ToString("n");

    private static GrainId NewGrainId() => GrainId.Create("storagetest", NewKey());
}
