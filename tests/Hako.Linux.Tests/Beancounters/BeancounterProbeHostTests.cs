using System.Diagnostics;
using Hako.Core.Resources;
using Hako.Linux.Beancounters;
using Hako.Linux.Cgroups;
using Xunit.Abstractions;

namespace Hako.Linux.Tests.Beancounters;

/// <summary>
/// The probe on the real kernel: a scratch cgroup with a real process that opens files. Needs root on a cgroup v1
/// host; skipped otherwise, with the reason.
/// </summary>
public sealed class BeancounterProbeHostTests(ITestOutputHelper output)
{
    private const string Root = CgroupDriverFactory.DefaultRoot;
    private static readonly string[] Controllers = ["memory", "pids"];

    [SkippableFact]
    public void Measure_RealProcessInScratchCgroup_GivesPlausibleHeldValues()
    {
        Skip.IfNot(Environment.IsPrivilegedProcess, "needs root to create cgroups under /sys/fs/cgroup");
        var driver = CgroupDriverFactory.Detect(Root);
        Skip.IfNot(driver.Version == "v1", $"host cgroups are {driver.Version}, this test needs v1");

        var group = $"hako-ubcexp-{Guid.NewGuid():N}"[..24];
        Process? sh = null;
        try
        {
            foreach (var c in Controllers)
            {
                Directory.CreateDirectory(Path.Combine(Root, c, group));
            }

            driver.Apply(group, BeancounterSet.Unlimited.With(UbcResource.TcpSndBuf, UbcLimit.Both(4 << 20)));
            // The shell waits until it is in the cgroup, so what exec allocates afterwards is charged to it
            // (v1 does not move charges of a process that joins later).
            var start = new ProcessStartInfo("/bin/sh") { RedirectStandardInput = true, UseShellExecute = false };
            foreach (var a in (string[])["-c", "read go; exec 3</etc/passwd 4</etc/hostname 5</etc/hosts; exec sleep 30"])
            {
                start.ArgumentList.Add(a);
            }

            sh = Process.Start(start)!;
            foreach (var c in Controllers)
            {
                File.WriteAllText(Path.Combine(Root, c, group, "cgroup.procs"), sh.Id.ToString());
            }

            sh.StandardInput.WriteLine("go");
            sh.StandardInput.Flush();
            var deadline = Stopwatch.StartNew();
            while (File.ReadAllText($"/proc/{sh.Id}/comm").Trim() != "sleep" && deadline.ElapsedMilliseconds < 5000)
            {
                Thread.Sleep(10);
            }

            var probe = new BeancounterProbe(driver);
            var s = probe.Measure(group, sh.Id);
            foreach (var (resource, reading) in s.Readings)
            {
                output.WriteLine($"{UbcParameters.Get(resource).Name,-14} {reading}");
            }

            Assert.Equal(1, s[UbcResource.NumProc].Held);
            // stat(2)'s count of /proc/PID/fd agrees with listing it: stdio, the three files, and what .NET passed on.
            Assert.Equal(Directory.GetFileSystemEntries($"/proc/{sh.Id}/fd").Length, s[UbcResource.NumFile].Held);
            Assert.InRange(s[UbcResource.NumFile].Held ?? 0, 6, 20);
            Assert.InRange(s[UbcResource.PhysPages].Held ?? 0, 1, 10_000);
            Assert.InRange(s[UbcResource.PrivVmPages].Held ?? 0, 1, 100_000);
            Assert.Equal(0, s[UbcResource.NumFlock].Held);
            Assert.Equal(0, s[UbcResource.LockedPages].Held);
            Assert.Equal(4 << 20, long.Parse(File.ReadAllText(Path.Combine(Root, "memory", group, "memory.kmem.tcp.limit_in_bytes"))));

            // What a sweep costs on the real kernel: the same container 200 times (a cost floor for bench/ubc.sh).
            var targets = Enumerable.Repeat((group, sh.Id), 200).ToList();
            probe.MeasureAll(targets);
            var watch = Stopwatch.StartNew();
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            const int Rounds = 5;
            for (var i = 0; i < Rounds; i++)
            {
                probe.MeasureAll(targets);
            }

            output.WriteLine($"real kernel: {watch.Elapsed.TotalMilliseconds / Rounds:F1} ms per sweep of 200 one-process containers " +
                $"(CPU {(Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds / Rounds:F1} ms)");
        }
        finally
        {
            if (sh is { HasExited: false })
            {
                sh.Kill();
                sh.WaitForExit();
            }

            foreach (var c in Controllers)
            {
                var dir = Path.Combine(Root, c, group);
                for (var i = 0; i < 50 && Directory.Exists(dir); i++)
                {
                    try
                    {
                        Directory.Delete(dir);
                    }
                    catch (IOException)
                    {
                        Thread.Sleep(20); // the killed process leaves the cgroup a moment later
                    }
                }
            }
        }
    }
}
