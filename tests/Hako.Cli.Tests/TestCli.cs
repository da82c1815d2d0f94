using Hako.Cli;

namespace Hako.Cli.Tests;

/// <summary>Runs `hako` in-process with captured stdout/stderr and a controlled environment.</summary>
internal sealed class TestCli
{
    private readonly Dictionary<string, string?> _variables = new(StringComparer.Ordinal);

    public TestCli(string? socketPath = null, bool terminal = false)
    {
        if (socketPath is not null)
        {
            _variables["HAKO_SOCKET"] = socketPath;
        }

        // Keep lxc-attach out of reach unless a test puts it there: exec must not touch real containers.
        _variables["PATH"] = "/nonexistent";
        Terminal = terminal;
    }

    public bool Terminal { get; }

    public TestCli Set(string name, string? value)
    {
        _variables[name] = value;
        return this;
    }

    public Task<CliRun> RunAsync(params string[] args) => RunAsync(CancellationToken.None, args);

    /// <summary>Runs until done or until <paramref name="cancellationToken"/> fires (as Ctrl-C would end hako events --follow).</summary>
    public async Task<CliRun> RunAsync(CancellationToken cancellationToken, params string[] args)
    {
        var stdout = new StringWriter { NewLine = "\n" };
        var stderr = new StringWriter { NewLine = "\n" };
        var environment = new CliEnvironment(stdout, stderr, new StringReader(""), Terminal, InputIsRedirected: false,
            name => _variables.TryGetValue(name, out var value) ? value : null);
        var exitCode = await HakoCli.RunAsync(args, environment, cancellationToken);
        return new CliRun(exitCode, stdout.ToString(), stderr.ToString());
    }

    public CliEnvironment Environment() => new(TextWriter.Null, TextWriter.Null, TextReader.Null, false, false,
        name => _variables.TryGetValue(name, out var value) ? value : null);
}

internal sealed record CliRun(int ExitCode, string Stdout, string Stderr);
