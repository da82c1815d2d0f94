using Hako.Capacity.Backtest;

namespace Hako.Capacity.Tests.Backtest;

public sealed class BitbrainsTraceReaderTests
{
    [SkippableFact]
    public void Read_RealTrace_Aligns46VmsToAMonthOf5MinuteBuckets()
    {
        var trace = TestData.BitbrainsTrace();
        Assert.Equal(46, trace.Tenants.Count);
        // 1372629804 … 1375221457 (Unix seconds, despite "[ms]"): 8640 buckets of 300 s.
        Assert.Equal(8640, trace.BucketCount);
        Assert.Equal(TimeSpan.FromMinutes(5), trace.BucketLength);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1372629600), trace.Start);
        Assert.Equal(["1", "2", "3"], trace.Tenants.Take(3).Select(t => t.Id));
        foreach (var t in trace.Tenants)
        {
            Assert.All(t.Cpu, v => Assert.True(double.IsFinite(v) && v >= 0));
            Assert.All(t.Memory, v => Assert.True(double.IsFinite(v) && v >= 0));
        }
    }

    [SkippableFact]
    public void Read_RealTrace_KeepsTheFirstRowOfVm1()
    {
        // 1.csv, first row: "1372629804;\t2;\t5851.9989;\t87.7799835;\t1.5;\t8218624.0;\t1034592.8;…"
        var vm1 = TestData.BitbrainsTrace().Tenants[0];
        Assert.Equal(87.7799835, vm1.Cpu[0], 6);
        Assert.Equal(5851.9989, vm1.CpuProvisioned[0], 4);
        Assert.Equal(1034592.8, vm1.Memory[0], 1);
        Assert.Equal(8218624.0, vm1.MemoryProvisioned[0]);
    }

    [SkippableFact]
    public void Read_RealTrace_MeansMatchTheManifest()
    {
        // manifest.json: VM 1 cpu_mean_mhz 677.3; carrying values over gaps moves it only slightly.
        var vm1 = TestData.BitbrainsTrace().Tenants[0];
        Assert.InRange(vm1.Cpu.Average(), 677.3 * 0.97, 677.3 * 1.03);
    }

    [SkippableFact]
    public void Read_RealTrace_ReplicasAreCorrelated()
    {
        var trace = TestData.BitbrainsTrace();
        double[] Cpu(string id) => trace.Tenants.Single(t => t.Id == id).Cpu;
        Assert.True(Correlation(Cpu("41"), Cpu("42")) > 0.9);
        Assert.True(Correlation(Cpu("56"), Cpu("58")) > 0.9);
    }

    [Fact]
    public void ReadRows_TabAfterSemicolon_ExponentsAndAbsentRows()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllLines(path,
            [
                "Timestamp [ms];\tCPU cores;\tCPU capacity provisioned [MHZ];\tCPU usage [MHZ];\tCPU usage [%];\tMemory capacity provisioned [KB];\tMemory usage [KB];\tDisk read throughput [KB/s];\tDisk write throughput [KB/s];\tNetwork received throughput [KB/s];\tNetwork transmitted throughput [KB/s]",
                "1372630404;\t8;\t20799.994872;\t81.4;\t0.39;\t2.097152E7;\t125827.2;\t0.0;\t0.8;\t0.0;\t1.0",
                "1372629804;\t0;\t0;\t0;\t0;\t0;\t0;\t0;\t0;\t0;\t0",
            ]);
            var rows = BitbrainsTraceReader.ReadRows(path);
            Assert.Equal(2, rows.Length);
            Assert.Equal(1372629804, rows[0].Time); // sorted by time
            Assert.Equal(20971520, rows[1].MemoryProvisioned);
            Assert.Equal(81.4, rows[1].Cpu);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static double Correlation(double[] a, double[] b)
    {
        double ma = a.Average(), mb = b.Average(), sab = 0, saa = 0, sbb = 0;
        for (var i = 0; i < a.Length; i++)
        {
            sab += (a[i] - ma) * (b[i] - mb);
            saa += (a[i] - ma) * (a[i] - ma);
            sbb += (b[i] - mb) * (b[i] - mb);
        }
        return sab / Math.Sqrt(saa * sbb);
    }
}
