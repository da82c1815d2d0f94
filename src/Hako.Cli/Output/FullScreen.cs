using System.Text;

namespace Hako.Cli.Output;

/// <summary>
/// The terminal taken over for a full-screen view (`hako top`): the alternate screen buffer, cursor
/// hidden, Ctrl-C read as a key. Dispose gives it all back (cursor shown, main screen with its old
/// content), also when the view ends with an exception. Plain ANSI: Spectre's Live display would fight
/// the key reading for the console.
/// </summary>
internal sealed class FullScreen : IDisposable
{
    private const string EnterAlternate = "\e[?1049h";
    private const string LeaveAlternate = "\e[?1049l";
    private const string HideCursor = "\e[?25l";
    private const string ShowCursor = "\e[?25h";
    private const string Home = "\e[H";
    private const string ClearToEndOfLine = "\e[K";
    private const string ClearToEnd = "\e[J";

    private readonly TextWriter _out;
    private readonly bool _treatedControlCAsInput;
    private bool _disposed;

    public FullScreen(TextWriter output)
    {
        _out = output;
        _treatedControlCAsInput = Console.TreatControlCAsInput;
        Console.TreatControlCAsInput = true;
        _out.Write(EnterAlternate + HideCursor);
        _out.Flush();
    }

    public static int Width => Math.Max(20, Console.WindowWidth);

    public static int Height => Math.Max(3, Console.WindowHeight);

    /// <summary>Draws the lines from the top left, clearing what the previous frame left, in one write (no flicker).</summary>
    public void Draw(IReadOnlyList<string> lines)
    {
        var frame = new StringBuilder(Home, lines.Count * 128);
        for (var i = 0; i < lines.Count; i++)
        {
            frame.Append(lines[i]).Append(ClearToEndOfLine);
            if (i < lines.Count - 1)
            {
                frame.Append("\r\n");
            }
        }

        frame.Append(ClearToEnd);
        _out.Write(frame.ToString());
        _out.Flush();
    }

    /// <summary>The next key, or null when none arrives before <paramref name="deadline"/> or the view is asked to stop.</summary>
    public static async Task<ConsoleKeyInfo?> ReadKeyAsync(DateTimeOffset deadline, Func<bool> redraw, CancellationToken cancellationToken)
    {
        // Console has no async key read: poll, which also notices a resized window promptly.
        while (DateTimeOffset.UtcNow < deadline && !cancellationToken.IsCancellationRequested)
        {
            if (Console.KeyAvailable)
            {
                return Console.ReadKey(intercept: true);
            }

            if (redraw())
            {
                return null;
            }

            try
            {
                await Task.Delay(50, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return null;
            }
        }

        return null;
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _out.Write(ShowCursor + LeaveAlternate);
        _out.Flush();
        Console.TreatControlCAsInput = _treatedControlCAsInput;
    }
}
