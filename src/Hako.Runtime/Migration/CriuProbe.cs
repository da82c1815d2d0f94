using Hako.Linux.Processes;

namespace Hako.Runtime.Migration;

/// <summary>Whether CRIU can checkpoint and restore on this node: <c>criu check</c>, run once per hakod.</summary>
public sealed class CriuProbe
{
    private readonly Lazy<Task<CriuStatus>> _status = new(CheckAsync);

    public Task<CriuStatus> StatusAsync() => _status.Value;

    private static async Task<CriuStatus> CheckAsync()
    {
        ProcessResult r;
        try
        {
            r = await ProcessRunner.RunAsync("criu", ["check"], timeout: TimeSpan.FromSeconds(30));
        }
        catch (Core.Errors.HakoException)
        {
            return new CriuStatus(false, "criu is not installed (apt-get install criu)");
        }

        // criu 3.17 prints "Looks good." and exits 0 when it can work; on this kernel it exits 0 but prints
        // "Error (criu/vdso.c:381): vdso: Unexpected rt vDSO area bounds", so errors are read from the text too.
        var text = (r.Stdout + "\n" + r.Stderr).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var error = text.FirstOrDefault(l => l.StartsWith("Error", StringComparison.Ordinal));
        if (r.Ok && error is null && text.Any(l => l.Contains("Looks good", StringComparison.Ordinal)))
        {
            return new CriuStatus(true, null);
        }

        return new CriuStatus(false, error ?? text.FirstOrDefault() ?? $"criu check exited {r.ExitCode}");
    }
}

/// <summary>The outcome of <c>criu check</c>: usable, or the first line that says why not.</summary>
public sealed record CriuStatus(bool Usable, string? Problem);
