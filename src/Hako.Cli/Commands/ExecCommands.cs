using System.CommandLine;
using System.Diagnostics;
using System.Runtime.InteropServices;
using Hako.Contracts;

namespace Hako.Cli.Commands;

/// <summary>
/// hako exec NAME -- CMD ARGS and hako enter NAME. On the node (unix socket) they run lxc-attach directly
/// with inherited stdio, so output streams and a TTY works; over HAKO_URL exec uses the streaming API form.
/// </summary>
internal sealed class ExecCommand : HakoCommand
{
    private static readonly string[] LoginShell = ["/bin/sh", "-l"];

    private readonly Argument<string> _name = ContainerName();
    private readonly Argument<string[]> _command = new("command") { Description = "Command and arguments (after --)", Arity = ArgumentArity.OneOrMore, HelpName = "CMD" };
    private readonly bool _enter;

    public ExecCommand(CliEnvironment environment, GlobalOptions globals, bool enter)
        : base(enter ? "enter" : "exec",
            enter ? "Open a login shell in a running container (type exit to leave)" : "Run a command in a running container: hako exec NAME -- CMD ARGS",
            environment, globals)
    {
        _enter = enter;
        Arguments.Add(_name);
        if (!enter)
        {
            Arguments.Add(_command);
        }
    }

    internal IReadOnlyList<string> GetCommand(ParseResult r) => _enter ? LoginShell : r.GetValue(_command) ?? [];

    protected override async Task<int> RunAsync(CliContext cli, ParseResult parseResult, CancellationToken cancellationToken)
    {
        var name = parseResult.GetValue(_name)!;
        var command = GetCommand(parseResult);
        var container = await cli.Client.GetContainerAsync(name, cancellationToken).ConfigureAwait(false);
        if (container.State != "running")
        {
            throw new CliException($"Container {name} is not running; start it with: hako start {name}");
        }

        if (cli.Client.Endpoint.IsLocal && container.LxcPath is { Length: > 0 } lxcPath
            && LxcAttach.FindExecutable(cli.Environment.GetVariable) is { } lxcAttach)
        {
            var arguments = LxcAttach.BuildArguments(lxcPath, container.Name, command, cli.Environment.GetVariable("TERM"));
            if (_enter)
            {
                cli.Error.WriteLine($"Entering {name}; type 'exit' to leave.");
            }

            var exitCode = await LxcAttach.RunAsync(lxcAttach, arguments).ConfigureAwait(false);
            if (_enter)
            {
                cli.Error.WriteLine($"Left {name}.");
            }

            return exitCode;
        }

        if (_enter)
        {
            throw new CliException(cli.Client.Endpoint.IsLocal
                ? "hako enter needs lxc-attach on this node (apt-get install lxc) and hakod to report the container's LXC path"
                : $"hako enter needs a terminal on the node itself; over HAKO_URL use: hako exec {name} -- CMD ARGS");
        }

        // Remote (or no lxc-attach here): the streaming API form, printed as it arrives. Piped stdin is sent along.
        var stdin = cli.Environment.InputIsRedirected
            ? await cli.Environment.In.ReadToEndAsync(cancellationToken).ConfigureAwait(false)
            : null;
        var request = new ExecRequest { Command = command, Stdin = stdin };
        if (cli.Json)
        {
            // One JSON document needs the whole output: the buffered form (hakod caps it at a few MB).
            var result = await cli.Client.ExecAsync(name, request, cancellationToken).ConfigureAwait(false);
            cli.WriteJson(result, HakoJsonContext.Default.ExecResult);
            return result.ExitCode;
        }

        await using var stdout = OutputStream(cli.Out, Console.Out, Console.OpenStandardOutput);
        await using var stderr = OutputStream(cli.Error, Console.Error, Console.OpenStandardError);
        return await cli.Client.ExecStreamAsync(name, request, stdout, stderr, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The process's own stdout/stderr as raw bytes (binary output passes unchanged); a test's writer otherwise.</summary>
    private static Stream OutputStream(TextWriter writer, TextWriter console, Func<Stream> open)
    {
        if (ReferenceEquals(writer, console))
        {
            console.Flush();
            return open();
        }

        return new TextWriterStream(writer);
    }
}

/// <summary>A write-only stream that decodes UTF-8 (across chunk boundaries) into a TextWriter.</summary>
internal sealed class TextWriterStream(TextWriter writer) : Stream
{
    private readonly System.Text.Decoder _decoder = new System.Text.UTF8Encoding(false).GetDecoder();

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        var chars = new char[_decoder.GetCharCount(buffer, flush: false)];
        var n = _decoder.GetChars(buffer, chars, flush: false);
        writer.Write(chars, 0, n);
    }

    public override void Flush() => writer.Flush();
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
}

/// <summary>Runs lxc-attach as a child with the terminal handed over (no redirection) and returns its exit code.</summary>
internal static class LxcAttach
{
    private const string DefaultPath = "/usr/sbin:/usr/bin:/sbin:/bin";

    public static string? FindExecutable(Func<string, string?> getVariable)
    {
        var path = getVariable("PATH");
        var directories = string.IsNullOrEmpty(path) ? DefaultPath.Split(':') : [.. path.Split(':'), .. DefaultPath.Split(':')];
        foreach (var directory in directories)
        {
            if (directory.Length == 0)
            {
                continue;
            }

            var candidate = Path.Join(directory, "lxc-attach");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>
    /// lxc-attach -P LXCPATH -n NAME --clear-env --set-var PATH=... --set-var HOME=/root [--set-var TERM=...] -- CMD ARGS.
    /// The host's environment is cleared so nothing of the operator's session leaks into the container; TERM is
    /// kept so a shell in the container can draw.
    /// </summary>
    public static List<string> BuildArguments(string lxcPath, string name, IReadOnlyList<string> command, string? term)
    {
        var arguments = new List<string>(12 + command.Count)
        {
            "-P", lxcPath,
            "-n", name,
            "--clear-env",
            "--set-var", "PATH=" + DefaultPath,
            "--set-var", "HOME=/root",
        };
        if (!string.IsNullOrEmpty(term))
        {
            arguments.Add("--set-var");
            arguments.Add("TERM=" + term);
        }

        arguments.Add("--");
        arguments.AddRange(command);
        return arguments;
    }

    public static async Task<int> RunAsync(string executable, IReadOnlyList<string> arguments)
    {
        var startInfo = new ProcessStartInfo(executable) { UseShellExecute = false };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        // Ctrl-C and Ctrl-\ reach the whole foreground process group: the child decides what they mean;
        // hako stays alive to pass on its exit code.
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, context => context.Cancel = true);
        using var quit = PosixSignalRegistration.Create(PosixSignal.SIGQUIT, context => context.Cancel = true);
        using var process = Process.Start(startInfo)
            ?? throw new CliException($"Could not start {executable}");
        await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
        return process.ExitCode;
    }
}
