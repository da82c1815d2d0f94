using System.Buffers.Binary;
using System.Text.Json;
using Hako.Contracts;
using Hako.Daemon.Containers;

namespace Hako.Daemon.Api;

/// <summary>
/// POST /v1/containers/{name}/exec/stream: the command's output as frames (see <see cref="ExecStream"/>), written
/// as it comes. Each frame is flushed before the next chunk is read from lxc-attach, so a client that reads slowly
/// slows the command (backpressure) and hakod holds one chunk per stream, whatever the command prints.
/// </summary>
internal static class ExecStreamResponse
{
    public static async Task WriteAsync(HttpContext http, string name, ExecRequest req, ContainerService svc, ILogger log)
    {
        // Refusals (not found, not running, bad command) come before the response starts: plain problem+json.
        svc.PrepareExecStream(name, req);
        http.Response.ContentType = ExecStream.ContentType;
        http.Response.Headers.CacheControl = "no-store";
        await http.Response.StartAsync(http.RequestAborted);
        var writer = http.Response.BodyWriter;
        try
        {
            var exit = await svc.ExecStreamAsync(name, req,
                (fd, data, ct) => WriteFrameAsync(writer, fd == 1 ? ExecFrameKind.Stdout : ExecFrameKind.Stderr, data, ct), http.RequestAborted);
            var code = new byte[4];
            BinaryPrimitives.WriteInt32BigEndian(code, exit);
            await WriteFrameAsync(writer, ExecFrameKind.Exit, code, http.RequestAborted);
        }
        catch (Exception e) when (!http.RequestAborted.IsCancellationRequested)
        {
            // The response has started: the failure goes out as the last frame, in problem+json.
            var problem = Problems.From(e);
            if (problem.Status >= 500)
            {
                log.LogError(e, "exec stream in {Container} failed", name);
            }

            await WriteFrameAsync(writer, ExecFrameKind.Error,
                JsonSerializer.SerializeToUtf8Bytes(problem, HakoJsonContext.Default.ProblemInfo), http.RequestAborted);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException)
        {
            // The client went away: the command was killed with it; nobody is left to tell.
        }
    }

    /// <summary>One frame; payloads are at most a pipe chunk (64K), far below <see cref="ExecStream.MaxPayload"/>.</summary>
    private static async ValueTask WriteFrameAsync(System.IO.Pipelines.PipeWriter writer, ExecFrameKind kind, ReadOnlyMemory<byte> payload, CancellationToken ct)
    {
        var header = writer.GetSpan(ExecStream.HeaderLength);
        header[0] = (byte)kind;
        BinaryPrimitives.WriteInt32BigEndian(header[1..], payload.Length);
        writer.Advance(ExecStream.HeaderLength);
        // WriteAsync copies and flushes; it completes only once the client has taken enough (backpressure).
        var result = await writer.WriteAsync(payload, ct);
        if (result.IsCanceled || result.IsCompleted)
        {
            throw new OperationCanceledException("the client stopped reading the exec stream");
        }
    }
}
