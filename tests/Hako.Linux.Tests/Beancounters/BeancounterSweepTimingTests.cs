using System.Diagnostics;
using Hako.Linux.Beancounters;
using Hako.Linux.Cgroups;
using Hako.Linux.Tests.TestSupport;
using Xunit.Abstractions;

namespace Hako.Linux.Tests.Beancounters;

/// <summary>How long a sweep takes over fixture containers. Prints, never asserts: timing depends on the machine.</summary>
public sealed class BeancounterSweepTimingTests(ITestOutputHelper output)
{
    [Fact]
    public void MeasureAll_FiftyFixtureContainers_PrintsMillisecondsPerSweep()
    {
        const int Containers = 50;
        using var tree = FixtureTree.Copy("ubc-v1");
        foreach (var controller in new[] { "memory", "pids" })
        {
            var source = Path.Combine(tree.Root, "cgroup", controller, "hako-node1", "web1");
            for (var i = 0; i < Containers; i++)
            {
                var target = Path.Combine(tree.Root, "cgroup", controller, "hako-node1", $"ct{i}");
                Directory.CreateDirectory(target);
                foreach (var file in Directory.EnumerateFiles(source))
                {
                    File.Copy(file, Path.Combine(target, Path.GetFileName(file)));
                }
            }
        }

        var probe = new BeancounterProbe(new CgroupV1Driver(Path.Combine(tree.Root, "cgroup")), Path.Combine(tree.Root, "proc"));
        var targets = Enumerable.Range(0, Containers).Select(i => ($"hako-node1/ct{i}", 20174)).ToList();
        Assert.Equal(53, probe.MeasureAll(targets)[^1][Hako.Core.Resources.UbcResource.NumFile].Held); // warm-up
        const int Rounds = 10;
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < Rounds; i++)
        {
            probe.MeasureAll(targets);
        }

        var ms = watch.Elapsed.TotalMilliseconds / Rounds;
        output.WriteLine($"{ms:F1} ms per sweep of {Containers} fixture containers (9 processes each), " +
            $"{ms / Containers * 1000:F0} µs per container; at a 10 s interval that is {ms / 100:F2}% of one core for {Containers}");
    }
}
