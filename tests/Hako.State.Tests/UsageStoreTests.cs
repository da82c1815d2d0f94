using Hako.Core.Usage;
using Hako.State.Sqlite;

namespace Hako.State.Tests;

public sealed class UsageStoreTests : IDisposable
{
    private static readonly DateTimeOffset T0 = DateTimeOffset.Parse("2026-11-26T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
    private readonly string _dir = Directory.CreateTempSubdirectory("hako-usage-").FullName;
    private readonly SqliteStateStore _state;
    private readonly SqliteUsageStore _usage;

    public UsageStoreTests()
    {
        _state = new SqliteStateStore(Path.Combine(_dir, "hako.db"));
        _usage = new SqliteUsageStore(Path.Combine(_dir, "hako.db"));
    }

    public void Dispose()
    {
        _usage.Dispose();
        _state.Dispose();
        Directory.Delete(_dir, true);
    }

    /// <summary>A container using a steady 0.25 cores, memory rising by 1 KiB per sample.</summary>
    private static UsageSample Sample(string series, int i, int intervalSeconds = 10)
    {
        var v = UsageSample.NewValues();
        v[(int)UsageMetric.Cpu] = i * intervalSeconds * 250_000_000L;
        v[(int)UsageMetric.Memory] = 1024L * i;
        return new UsageSample(series, T0.AddSeconds(i * intervalSeconds), v);
    }

    [Fact]
    public void Raw_RoundTripsAllMetrics_WithMillisecondTimes()
    {
        var v = Enumerable.Range(0, UsageMetrics.Count).Select(i => (long?)(i * 1_000_000_007L)).ToArray();
        v[3] = null;
        var s = new UsageSample("web1", T0.AddMilliseconds(1234), v);
        _usage.AppendRaw([s, Sample(UsageSample.NodeSeries, 1)]);
        var back = Assert.Single(_usage.ReadRaw("web1", T0, T0.AddHours(1)));
        Assert.Equal(s.Time, back.Time);
        Assert.Equal(v, back.Values);
        Assert.Empty(_usage.ReadRaw("other", T0, T0.AddHours(1)));
        Assert.Equal(s.Time, _usage.RawBefore("web1", T0.AddSeconds(2))!.Time);
        Assert.Null(_usage.RawBefore("web1", T0));
    }

    [Fact]
    public void Compact_KeepsRawForItsRetention_ThenOnlyBucketsWithMeanMaxP95()
    {
        var retention = new UsageRetention(TimeSpan.FromSeconds(10), TimeSpan.FromHours(1), TimeSpan.FromMinutes(5), TimeSpan.FromHours(3));
        // Two hours of samples every 10 s (720), compacting every 5 minutes as hakod does.
        for (var i = 0; i < 720; i++)
        {
            _usage.AppendRaw([Sample("web1", i), Sample("gone", i)]);
            if (i % 30 == 29)
            {
                UsageCompactor.Compact(_usage, retention, T0.AddSeconds(i * 10 + 5), s => s == "web1");
            }
        }

        var now = T0.AddSeconds(7195);
        UsageCompactor.Compact(_usage, retention, now, s => s == "web1");

        // Raw: only the last hour is left (samples at t ≥ now − 1 h).
        var raw = _usage.ReadRaw("web1", T0, now.AddMinutes(1));
        Assert.Equal(now - TimeSpan.FromHours(1), raw[0].Time.AddSeconds(-5));
        Assert.Equal(360, raw.Count);

        // Buckets: every complete 5-minute bucket of the two hours (the last one, still open, is not).
        var buckets = _usage.ReadAggregates("web1", T0, now);
        Assert.Equal(23, buckets.Count);
        Assert.Equal(Enumerable.Range(0, 23).Select(k => T0.AddMinutes(5 * k)), buckets.Select(b => b.Time));
        Assert.Equal(0.25, buckets[5][UsageMetric.Cpu]!.Value.Mean, 3);
        Assert.Equal(0.25, buckets[5][UsageMetric.Cpu]!.Value.Max, 3);
        // Memory in bucket 5: samples 150..179 → 1 KiB × i: mean 164.5 KiB, max 179 KiB, p95 = 29th of 30 = 178 KiB.
        var memory = buckets[5][UsageMetric.Memory]!.Value;
        Assert.Equal(164.5 * 1024, memory.Mean, 3);
        Assert.Equal(179 * 1024, memory.Max, 3);
        Assert.Equal(178 * 1024, memory.P95, 3);

        // The series of a container that no longer exists is gone entirely.
        Assert.Empty(_usage.ReadRaw("gone", T0, now));
        Assert.Empty(_usage.ReadAggregates("gone", T0, now));

        // Later, aggregates past their retention go too.
        UsageCompactor.Compact(_usage, retention, now + TimeSpan.FromHours(2), s => s == "web1");
        var kept = _usage.ReadAggregates("web1", T0, now + TimeSpan.FromHours(2));
        Assert.All(kept, b => Assert.True(b.Time >= now - TimeSpan.FromHours(1)));
        Assert.Empty(_usage.ReadRaw("web1", T0, now + TimeSpan.FromHours(2)));
    }

    [Fact]
    public void Compact_IsIdempotent_AndAggregatesEachBucketOnce()
    {
        var retention = new UsageRetention(TimeSpan.FromSeconds(10), TimeSpan.FromHours(1), TimeSpan.FromMinutes(5), TimeSpan.FromDays(1));
        _usage.AppendRaw([.. Enumerable.Range(0, 100).Select(i => Sample("web1", i))]);
        var now = T0.AddSeconds(1000);
        UsageCompactor.Compact(_usage, retention, now, _ => true);
        var first = _usage.RowCounts();
        UsageCompactor.Compact(_usage, retention, now, _ => true);
        Assert.Equal(first, _usage.RowCounts());
        Assert.Equal((100L, 3L), first); // buckets 0-5, 5-10, 10-15 min are complete at 16:40
    }

    [Fact]
    public void DeleteSeries_ForgetsOnlyThatSeries()
    {
        _usage.AppendRaw([Sample("a", 1), Sample("b", 1)]);
        _usage.DeleteSeries("a");
        _usage.DeleteSeries("never");
        Assert.Empty(_usage.ReadRaw("a", T0, T0.AddDays(1)));
        Assert.Single(_usage.ReadRaw("b", T0, T0.AddDays(1)));
        _usage.AppendRaw([Sample("a", 2)]);
        Assert.Single(_usage.ReadRaw("a", T0, T0.AddDays(1)));
    }
}
