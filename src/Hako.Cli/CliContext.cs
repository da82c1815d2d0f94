using System.CommandLine;
using System.Text.Json.Serialization.Metadata;
using Hako.Cli.Output;
using Hako.Client;

namespace Hako.Cli;

/// <summary>What one command's action works with: parsed global options, output streams, and the client (made on first use).</summary>
internal sealed class CliContext : IDisposable
{
    private readonly HashSet<string> _warned = new(StringComparer.Ordinal);
    private HakoClient? _client;

    public CliContext(CliEnvironment environment, GlobalOptions globals, ParseResult parseResult)
    {
        Environment = environment;
        ParseResult = parseResult;
        SocketOption = parseResult.GetValue(globals.Socket);
        RemoteOption = parseResult.GetValue(globals.Remote);
        Json = parseResult.GetValue(globals.Json);
        Quiet = parseResult.GetValue(globals.Quiet);
    }

    public CliEnvironment Environment { get; }

    public ParseResult ParseResult { get; }

    public string? SocketOption { get; }

    public string? RemoteOption { get; }

    public bool Json { get; }

    public bool Quiet { get; }

    public TextWriter Out => Environment.Out;

    public TextWriter Error => Environment.Error;

    /// <summary>Progress bars only for a person watching: a terminal, and neither --json nor --quiet.</summary>
    public bool Interactive => Environment.OutputIsTerminal && !Json && !Quiet;

    public HakoClient Client => _client ??= new HakoClient(ResolveEndpoint());

    /// <summary>--socket, then --remote, then HAKO_SOCKET, HAKO_REMOTE, HAKO_URL, the default socket.</summary>
    private HakoEndpoint ResolveEndpoint()
    {
        if (string.IsNullOrEmpty(SocketOption))
        {
            var remote = RemoteOption is { Length: > 0 } r ? r
                : string.IsNullOrEmpty(Environment.GetVariable(HakoEndpoint.SocketVariable)) ? Environment.GetVariable(Remotes.RemoteVariable)
                : null;
            if (!string.IsNullOrEmpty(remote))
            {
                return Remotes.Load(Environment.GetVariable).Endpoint(remote);
            }
        }

        return HakoEndpoint.Resolve(SocketOption, Environment.GetVariable);
    }

    /// <summary>One line of human output, suppressed by --quiet and --json.</summary>
    public void Say(string line)
    {
        if (!Quiet && !Json)
        {
            Out.WriteLine(line);
        }
    }

    public void Warn(string line) => Error.WriteLine("warning: " + line);

    /// <summary>
    /// "warning: ..." on stderr for each warning hakod reported (validation warnings of an operation and of
    /// the container it left), each once per run; even with --json and --quiet, since stdout stays clean.
    /// </summary>
    public void WarnAll(params IReadOnlyList<string>?[] lists)
    {
        var seen = _warned;
        foreach (var list in lists)
        {
            foreach (var warning in list ?? [])
            {
                if (seen.Add(warning))
                {
                    Warn(warning);
                }
            }
        }
    }

    public void WriteJson<T>(T value, JsonTypeInfo<T> typeInfo) => JsonOutput.Write(Out, value, typeInfo);

    public void Dispose() => _client?.Dispose();
}
