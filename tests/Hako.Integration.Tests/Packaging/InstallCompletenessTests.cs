using System.Text.RegularExpressions;
using Hako.Integration.Tests.Infrastructure;
using Hako.Linux.Processes;

namespace Hako.Integration.Tests.Packaging;

/// <summary>
/// Every external program the product or its tests start must come from a Debian package that the
/// scripts install (scripts/deps.sh for the product, test.sh for test-only tools), or from an essential
/// package every Debian system has. A green run on a machine that happened to have a tool installed by
/// hand hid a missing `attr` once; this test reads the program names out of the source and asks dpkg
/// which package provides each one.
/// </summary>
public sealed partial class InstallCompletenessTests
{
    /// <summary>
    /// Calls whose program is not a string literal: the expression as written → the programs it can be.
    /// A new call with a non-literal program fails the test until it is listed here.
    /// </summary>
    private static readonly Dictionary<string, string[]> DynamicPrograms = new(StringComparer.Ordinal)
    {
        ["debootstrap"] = ["debootstrap"],           // TemplateStore.Debootstrap: FindDebootstrap()
        ["BusyboxPath"] = ["busybox"],               // TemplateStore.Busybox: busybox-static's binary
        ["executable"] = ["lxc-attach"],             // ExecCommands: LxcAttach.FindExecutable()
        ["program"] = ["tmux"],                      // TopStatsCliTests.RunAsync(Tmux, ...) and the CLI under test
        ["Cli"] = [],                                // Paths.Cli[0]: the hako CLI under test (dotnet or the AOT build)
        ["file"] = [],                               // ProcessRunner / TestHost wrappers themselves
        ["psi"] = [],                                // Process.Start(psi): the ProcessStartInfo line names the program
        ["start"] = [],                              // BeancounterProbeHostTests: new ProcessStartInfo("/bin/sh") above
        ["startInfo"] = [],                          // ExecCommands: the ProcessStartInfo line above
    };

    /// <summary>Programs that are not Debian packages by design.</summary>
    private static readonly Dictionary<string, string> NotFromDebian = new(StringComparer.Ordinal)
    {
        ["dotnet"] = "the .NET 10 SDK is the one precondition README names (Microsoft's package, not Debian's)",
        ["criu"] = "optional: CriuProbe looks for it and migration says it restarts the container when it is absent",
    };

    [GeneratedRegex("""(?:ProcessRunner\.(?:RunAsync|CheckAsync)|TestHost\.RunAsync|new\s+(?:System\.Diagnostics\.)?ProcessStartInfo|Process\.Start)\(\s*(?:"(?<lit>[^"]+)"|(?<expr>[A-Za-z_][A-Za-z0-9_.]*))""")]
    private static partial Regex CallRegex();

    [SkippableFact]
    public async Task EveryProgramTheCodeStarts_IsInstalledByTheScripts()
    {
        Skip.IfNot(File.Exists("/usr/bin/dpkg-query"), "not a Debian host (no dpkg-query); the package check needs dpkg");

        var (programs, unknown) = CollectPrograms();
        Assert.True(unknown.Count == 0,
            "Calls start a program through an expression this test does not know; add it to DynamicPrograms: " + string.Join("; ", unknown));

        var installed = await WithDirectDependenciesAsync(ScriptPackages());
        var problems = new List<string>();
        foreach (var (program, where) in programs.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (NotFromDebian.ContainsKey(program))
            {
                continue;
            }

            var path = Resolve(program);
            if (path is null)
            {
                problems.Add($"{program} (used in {where}) is not on this machine's PATH: add its package to scripts/deps.sh or test.sh");
                continue;
            }

            var package = await OwningPackageAsync(path);
            if (package is null)
            {
                problems.Add($"{program} ({path}, used in {where}) belongs to no Debian package: it was installed by hand");
            }
            else if (!installed.Contains(package) && !await IsEssentialAsync(package))
            {
                problems.Add($"{program} ({path}, used in {where}) comes from package '{package}', which neither scripts/deps.sh nor test.sh installs");
            }
        }

        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Fact]
    public void TheScanFindsTheKnownTools()
    {
        var (programs, _) = CollectPrograms();
        foreach (var p in new[] { "lxc-start", "mkfs.ext4", "losetup", "ip", "setfattr", "tmux" })
        {
            Assert.True(programs.ContainsKey(p), $"the source scan did not find {p}; the regex has drifted from the code");
        }
    }

    private static (Dictionary<string, string> Programs, List<string> Unknown) CollectPrograms()
    {
        var programs = new Dictionary<string, string>(StringComparer.Ordinal);
        var unknown = new List<string>();
        var roots = new[] { "src", "tests", "bench" }.Select(d => Path.Combine(Paths.Repo, d));
        foreach (var file in roots.Where(Directory.Exists).SelectMany(d => Directory.EnumerateFiles(d, "*.cs", SearchOption.AllDirectories)))
        {
            if (file.Contains("/obj/", StringComparison.Ordinal) || file.Contains("/bin/", StringComparison.Ordinal))
            {
                continue;
            }

            var relative = Path.GetRelativePath(Paths.Repo, file);
            foreach (Match m in CallRegex().Matches(File.ReadAllText(file)))
            {
                if (m.Groups["lit"].Success)
                {
                    programs.TryAdd(m.Groups["lit"].Value, relative);
                }
                else if (DynamicPrograms.TryGetValue(m.Groups["expr"].Value.Split('.')[^1], out var known))
                {
                    foreach (var k in known)
                    {
                        programs.TryAdd(k, relative);
                    }
                }
                else
                {
                    unknown.Add($"{relative}: {m.Value}");
                }
            }
        }

        // Test helpers in this repo that wrap ProcessRunner with a first argument named like a CLI verb
        // (TestCli.RunAsync("plan", ...)) are not matched: the regex only takes the runner's own names.
        return (programs, unknown);
    }

    /// <summary>The packages named in scripts/deps.sh's PKGS=(...) and test.sh's test package loop.</summary>
    private static HashSet<string> ScriptPackages()
    {
        var set = new HashSet<string>(StringComparer.Ordinal);
        var deps = File.ReadAllText(Path.Combine(Paths.Repo, "scripts", "deps.sh"));
        foreach (Match m in Regex.Matches(deps, @"^PKGS=\(([^)]*)\)", RegexOptions.Multiline))
        {
            set.UnionWith(m.Groups[1].Value.Split((char[])[' ', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries));
        }

        var test = File.ReadAllText(Path.Combine(Paths.Repo, "test.sh"));
        foreach (Match m in Regex.Matches(test, @"^TEST_PKGS=\(([^)]*)\)", RegexOptions.Multiline))
        {
            set.UnionWith(m.Groups[1].Value.Split((char[])[' ', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries));
        }

        Assert.True(set.Count > 5, "could not read the package lists (PKGS=(...) in scripts/deps.sh, TEST_PKGS=(...) in test.sh)");
        return set;
    }

    /// <summary>Installing a package installs what it depends on: python3 brings python3-minimal (which owns /usr/bin/python3).</summary>
    private static async Task<HashSet<string>> WithDirectDependenciesAsync(HashSet<string> packages)
    {
        var all = new HashSet<string>(packages, StringComparer.Ordinal);
        foreach (var p in packages)
        {
            var r = await ProcessRunner.RunAsync("dpkg-query", ["-W", "-f=${Depends}, ${Pre-Depends}", p]);
            if (!r.Ok)
            {
                continue;
            }

            // "libc6 (>= 2.34), python3-minimal (= 3.11.2-1+b1) | foo, ..." → libc6, python3-minimal, foo
            foreach (var alt in r.Stdout.Split((char[])[',', '|'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                all.Add(alt.Split(' ', ':')[0]);
            }
        }

        return all;
    }

    private static string? Resolve(string program)
    {
        if (program.StartsWith('/'))
        {
            return File.Exists(program) ? program : null;
        }

        foreach (var dir in new[] { "/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin" })
        {
            var candidate = Path.Combine(dir, program);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>dpkg -S on the path, its resolved target, and the /usr-merged twin (Debian 12 registers /bin/ip, the file is /usr/bin/ip).</summary>
    private static async Task<string?> OwningPackageAsync(string path)
    {
        var candidates = new List<string> { path };
        var real = new FileInfo(path).ResolveLinkTarget(returnFinalTarget: true)?.FullName;
        if (real is not null)
        {
            candidates.Add(real);
        }

        foreach (var c in candidates.ToList())
        {
            candidates.Add(c.StartsWith("/usr/", StringComparison.Ordinal) ? c["/usr".Length..] : "/usr" + c);
        }

        foreach (var c in candidates)
        {
            var r = await ProcessRunner.RunAsync("dpkg-query", ["-S", c]);
            if (r.Ok)
            {
                // "busybox-static: /bin/busybox" (a diversion line starts with "diversion by").
                var line = r.Stdout.Split('\n').FirstOrDefault(l => !l.StartsWith("diversion", StringComparison.Ordinal) && l.Contains(": ", StringComparison.Ordinal));
                if (line is not null)
                {
                    return line[..line.IndexOf(':', StringComparison.Ordinal)].Split(',')[0].Trim();
                }
            }
        }

        return null;
    }

    /// <summary>Essential or required packages are on every Debian system (coreutils, tar, util-linux, findutils...).</summary>
    private static async Task<bool> IsEssentialAsync(string package)
    {
        var r = await ProcessRunner.RunAsync("dpkg-query", ["-W", "-f=${Essential} ${Priority}", package]);
        return r.Ok && (r.Stdout.StartsWith("yes", StringComparison.Ordinal) || r.Stdout.Contains("required", StringComparison.Ordinal));
    }
}
