using Hako.Contracts;
using Hako.Core.Containers;
using Hako.State.Sqlite;

namespace Hako.State.Tests;

public sealed class SqliteStateStoreTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("hako-state-").FullName;

    private string Db => Path.Combine(_dir, "hako.db");

    private static ContainerRecord Record(string name, string? ip) => new()
    {
        Name = name,
        Template = "busybox",
        Hostname = name,
        Ip = ip,
        Nameservers = ["198.51.100.53", "198.51.100.54"],
        Limits = new ResourceLimits { MemoryBytes = 256L << 20, SwapBytes = 0, CpuLimitPercent = 50, Processes = 100, DiskBytes = 2L << 30, IoPrio = 4, IoLimitBytesPerSecond = 10L << 20, IopsLimit = 500, CpuMask = "0" },
        CreatedAt = DateTimeOffset.Parse("2026-11-26T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture),
    };

    [Fact]
    public void NewDatabase_AndItsWalAndShm_AreReadableByTheOwnerOnly()
    {
        using var store = new SqliteStateStore(Db);
        store.SetSetting("k", "v");
        foreach (var file in new[] { Db, Db + "-wal", Db + "-shm" })
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        }
    }

    [Fact]
    public void DurableUpdate_AndDurableSetting_AreStoredLikeTheOthers_AndSettingsListByPrefix()
    {
        using (var store = new SqliteStateStore(Db))
        {
            Assert.True(store.TryInsertContainer(Record("web1", "10.0.0.2")));
            store.UpdateContainerDurable(Record("web1", "10.0.0.2") with { Status = RecordStatus.Incoming, Hostname = "durable" });
            store.SetSetting("migration:web1", "a", durable: true);
            store.SetSetting("migration:web2", "b");
            store.SetSetting("evacuated", "x");
            Assert.Equal("NORMAL", SynchronousMode(store)); // FULL only for the durable statements
        }

        using var reopened = new SqliteStateStore(Db);
        Assert.Equal("durable", reopened.GetContainer("web1")!.Hostname);
        Assert.Equal([("migration:web1", "a"), ("migration:web2", "b")], reopened.ListSettings("migration:"));
    }

    private static string SynchronousMode(SqliteStateStore store)
    {
        // PRAGMA synchronous on the store's own connection: 1 = NORMAL, 2 = FULL.
        var field = typeof(SqliteStateStore).GetField("_db", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!;
        using var cmd = ((Microsoft.Data.Sqlite.SqliteConnection)field.GetValue(store)!).CreateCommand();
        cmd.CommandText = "PRAGMA synchronous";
        return Convert.ToInt64(cmd.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) switch { 1 => "NORMAL", 2 => "FULL", var v => v.ToString(System.Globalization.CultureInfo.InvariantCulture) };
    }

    [Fact]
    public void NewDatabase_IsMigratedToTheLatestSchema_InWalMode()
    {
        using var store = new SqliteStateStore(Db);
        Assert.Equal(SqliteSchema.Steps.Length, store.SchemaVersion);
        Assert.True(File.Exists(Db + "-wal") || File.Exists(Db));
    }

    [Fact]
    public void DatabaseFromANewerHakod_IsRefusedWithAHakoError_AndLeftAsItWas()
    {
        using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Db};Pooling=False"))
        {
            connection.Open();
            using var cmd = connection.CreateCommand();
            cmd.CommandText = $"PRAGMA user_version = {SqliteSchema.Steps.Length + 1}";
            cmd.ExecuteNonQuery();
        }

        var e = Assert.Throws<Hako.Core.Errors.HakoException>(() => new SqliteStateStore(Db).Dispose());
        Assert.Equal(ErrorCode.Unsupported, e.Code);
        Assert.Contains("newer hakod", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Insert_RoundTripsEveryField()
    {
        using (var store = new SqliteStateStore(Db))
        {
            Assert.True(store.TryInsertContainer(Record("web1", "10.77.0.2")));
        }

        using var reopened = new SqliteStateStore(Db);
        var r = reopened.GetContainer("web1")!;
        Assert.Equal(Record("web1", "10.77.0.2").Limits, r.Limits);
        Assert.Equal(["198.51.100.53", "198.51.100.54"], r.Nameservers);
        Assert.Equal(RecordStatus.Creating, r.Status);
    }

    [Fact]
    public void Insert_DuplicateNameOrIp_IsRefused()
    {
        using var store = new SqliteStateStore(Db);
        Assert.True(store.TryInsertContainer(Record("web1", "10.77.0.2")));
        Assert.False(store.TryInsertContainer(Record("web1", "10.77.0.3")));
        Assert.False(store.TryInsertContainer(Record("web2", "10.77.0.2")));
        Assert.True(store.TryInsertContainer(Record("web2", "10.77.0.3")));
    }

    [Fact]
    public void LimitEvents_AccumulateAndAreDeletedWithTheContainer()
    {
        using var store = new SqliteStateStore(Db);
        store.TryInsertContainer(Record("web1", "10.77.0.2"));
        var t = DateTimeOffset.UtcNow;
        store.AddLimitEvent("web1", "oom_kill", 1, t, "killed");
        store.AddLimitEvent("web1", "oom_kill", 2, t.AddSeconds(5), null);
        var e = Assert.Single(store.GetLimitEvents("web1"));
        Assert.Equal(3, e.Count);
        Assert.Equal("killed", e.Detail);
        store.SetCounterBaselines([("web1", "oom_kill", 3L), ("web1", "ubc:maxheld:numproc", 7L)]);
        Assert.Equal(3, store.GetCounterBaselines(beancounters: false)[("web1", "oom_kill")]);
        Assert.Equal(7, store.GetCounterBaselines(beancounters: true)[("web1", "ubc:maxheld:numproc")]);
        Assert.False(store.GetCounterBaselines(beancounters: true).ContainsKey(("web1", "oom_kill")));

        store.DeleteContainer("web1");
        Assert.Null(store.GetContainer("web1"));
        Assert.Empty(store.GetLimitEvents("web1"));
        Assert.Empty(store.GetCounterBaselines(beancounters: false));
        Assert.Empty(store.GetCounterBaselines(beancounters: true));
    }

    [Fact]
    public void Nodes_RoundTrip_AndNamesAreUnique()
    {
        using (var store = new SqliteStateStore(Db))
        {
            var added = DateTimeOffset.Parse("2026-11-26T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
            Assert.True(store.TryInsertNode(new PeerNode("node2", new Uri("http://192.0.2.11:8443"), "secret", added)));
            Assert.False(store.TryInsertNode(new PeerNode("node2", new Uri("http://192.0.2.12:8443"), "other", added)));
        }

        using var reopened = new SqliteStateStore(Db);
        var node = Assert.Single(reopened.ListNodes());
        Assert.Equal(("node2", "http://192.0.2.11:8443/", "secret"), (node.Name, node.Url.ToString(), node.Token));
        reopened.DeleteNode("node2");
        Assert.Empty(reopened.ListNodes());
    }

    [Fact]
    public void Settings_SetReadAndClear()
    {
        using var store = new SqliteStateStore(Db);
        Assert.Null(store.GetSetting("evacuated"));
        store.SetSetting("evacuated", "2026-11-26T12:00:00Z");
        store.SetSetting("evacuated", "2026-11-26T13:00:00Z");
        Assert.Equal("2026-11-26T13:00:00Z", store.GetSetting("evacuated"));
        store.SetSetting("evacuated", null);
        Assert.Null(store.GetSetting("evacuated"));
    }

    public void Dispose() => Directory.Delete(_dir, true);
}
