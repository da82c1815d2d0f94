using Hako.Capacity.Backtest;

namespace Hako.Capacity.Tests.Backtest;

public sealed class CsvTraceReaderTests
{
    [Fact]
    public void Read_AlignsToBuckets_CarriesGaps_AndUsesLimits()
    {
        var csv = """
            timestamp,container,cpu,memory,cpu_limit,memory_limit
            1000000200,web,0.5,100,2,1000
            1000000500,web,1.5,200,2,1000
            1000001400,web,0.7,300,2,1000
            1000000800,db,1.0,500,4,2000
            """;
        var trace = CsvTraceReader.Read(new StringReader(csv));
        Assert.Equal(2, trace.Tenants.Count);
        // Origin 1000000200 (a bucket boundary): web in buckets 0, 1, 4; db in bucket 2.
        var db = trace.Tenants[0];
        var web = trace.Tenants[1];
        Assert.Equal("db", db.Id);
        Assert.Equal(5, trace.BucketCount);
        Assert.Equal([0.5, 1.5, 1.5, 1.5, 0.7], web.Cpu);
        Assert.Equal([0, 0, 1.0, 1.0, 1.0], db.Cpu);
        Assert.Equal([0, 0, 2000, 2000, 2000], db.MemoryProvisioned);
    }

    [Fact]
    public void Read_WithoutLimits_ProvisionedIsThePeak()
    {
        var trace = CsvTraceReader.Read(new StringReader("timestamp,container,cpu,memory\n2024-01-01T00:00:00Z,a,1,10\n2024-01-01T00:05:00Z,a,3,30\n"));
        Assert.Equal([3, 3], trace.Tenants[0].CpuProvisioned);
        Assert.Equal([1, 3], trace.Tenants[0].Cpu);
    }

    [Fact]
    public void Read_BadRows_ReportsEveryProblem()
    {
        var e = Assert.Throws<InvalidDataException>(() =>
            CsvTraceReader.Read(new StringReader("timestamp,container,cpu,memory\nx,a,1,1\n1,a,y,1\n")));
        Assert.Contains(":2:", e.Message);
        Assert.Contains(":3:", e.Message);
    }
}
