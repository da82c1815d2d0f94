using System.Net.Http.Json;
using Hako.Contracts;

namespace Hako.Client;

public sealed partial class HakoClient
{
    /// <summary>GET /v1/containers: every container with its usage.</summary>
    public Task<List<ContainerInfo>> ListContainersAsync(CancellationToken cancellationToken = default) =>
        GetAsync("v1/containers", HakoJsonContext.Default.ListContainerInfo, cancellationToken);

    /// <summary>GET /v1/containers/{name}: one container with usage and limit events.</summary>
    public Task<ContainerInfo> GetContainerAsync(string name, CancellationToken cancellationToken = default) =>
        GetAsync($"v1/containers/{Segment(name)}", HakoJsonContext.Default.ContainerInfo, cancellationToken);

    /// <summary>POST /v1/containers: starts creating; wait on the returned operation.</summary>
    public Task<OperationInfo> CreateContainerAsync(CreateContainerRequest request, CancellationToken cancellationToken = default) =>
        SendJsonAsync(HttpMethod.Post, "v1/containers", request,
            HakoJsonContext.Default.CreateContainerRequest, HakoJsonContext.Default.OperationInfo, cancellationToken);

    /// <summary>PATCH /v1/containers/{name}: null fields are left as they are.</summary>
    public Task<ContainerInfo> UpdateContainerAsync(string name, UpdateContainerRequest request,
        CancellationToken cancellationToken = default) =>
        SendJsonAsync(HttpMethod.Patch, $"v1/containers/{Segment(name)}", request,
            HakoJsonContext.Default.UpdateContainerRequest, HakoJsonContext.Default.ContainerInfo, cancellationToken);

    /// <summary>DELETE /v1/containers/{name}[?force=true]: force stops a running container first.</summary>
    public Task<OperationInfo> DeleteContainerAsync(string name, bool force = false, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Delete, $"v1/containers/{Segment(name)}{(force ? "?force=true" : "")}", content: null,
            HakoJsonContext.Default.OperationInfo, cancellationToken);

    /// <summary>POST /v1/containers/{name}/start.</summary>
    public Task<OperationInfo> StartContainerAsync(string name, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, $"v1/containers/{Segment(name)}/start", content: null,
            HakoJsonContext.Default.OperationInfo, cancellationToken);

    /// <summary>POST /v1/containers/{name}/stop.</summary>
    public Task<OperationInfo> StopContainerAsync(string name, StopRequest? request = null, CancellationToken cancellationToken = default) =>
        SendJsonAsync(HttpMethod.Post, $"v1/containers/{Segment(name)}/stop", request ?? new StopRequest(),
            HakoJsonContext.Default.StopRequest, HakoJsonContext.Default.OperationInfo, cancellationToken);

    /// <summary>POST /v1/containers/{name}/restart.</summary>
    public Task<OperationInfo> RestartContainerAsync(string name, StopRequest? request = null, CancellationToken cancellationToken = default) =>
        SendJsonAsync(HttpMethod.Post, $"v1/containers/{Segment(name)}/restart", request ?? new StopRequest(),
            HakoJsonContext.Default.StopRequest, HakoJsonContext.Default.OperationInfo, cancellationToken);

    /// <summary>
    /// POST /v1/containers/{name}/exec: runs a command and returns its output in one answer. hakod holds at most
    /// a few MB of output for this form (more is refused with InvalidArgument); use <see cref="ExecStreamAsync"/>.
    /// </summary>
    public Task<ExecResult> ExecAsync(string name, ExecRequest request, CancellationToken cancellationToken = default) =>
        SendJsonAsync(HttpMethod.Post, $"v1/containers/{Segment(name)}/exec", request,
            HakoJsonContext.Default.ExecRequest, HakoJsonContext.Default.ExecResult, cancellationToken);

    /// <summary>
    /// POST /v1/containers/{name}/exec/stream: runs a command and copies its stdout and stderr to
    /// <paramref name="stdout"/> and <paramref name="stderr"/> as they arrive; returns its exit code. hakod
    /// reads from the command only as fast as this reads, so any amount of output streams in constant memory.
    /// </summary>
    public async Task<int> ExecStreamAsync(string name, ExecRequest request, Stream stdout, Stream stderr,
        CancellationToken cancellationToken = default)
    {
        var path = $"v1/containers/{Segment(name)}/exec/stream";
        using var response = await SendCoreAsync(HttpMethod.Post, path,
            JsonContent.Create(request, HakoJsonContext.Default.ExecRequest, JsonMediaType), cancellationToken).ConfigureAwait(false);
        var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (body.ConfigureAwait(false))
        {
            var header = new byte[ExecStream.HeaderLength];
            var payload = new byte[64 << 10];
            while (true)
            {
                try
                {
                    await body.ReadExactlyAsync(header, cancellationToken).ConfigureAwait(false);
                }
                catch (EndOfStreamException ex)
                {
                    throw new HakoApiException(nameof(ErrorCode.Internal), (int)response.StatusCode,
                        $"hakod's exec stream for {name} ended without an exit code (hakod stopped or the connection broke)", innerException: ex);
                }

                var kind = (ExecFrameKind)header[0];
                var length = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(1));
                if (length is < 0 or > ExecStream.MaxPayload || !Enum.IsDefined(kind))
                {
                    throw new HakoApiException(nameof(ErrorCode.Internal), (int)response.StatusCode,
                        $"hakod's exec stream for {name} has a malformed frame (kind {header[0]}, length {length})");
                }

                if (length > payload.Length)
                {
                    payload = new byte[length];
                }

                await body.ReadExactlyAsync(payload.AsMemory(0, length), cancellationToken).ConfigureAwait(false);
                switch (kind)
                {
                    case ExecFrameKind.Stdout:
                        await stdout.WriteAsync(payload.AsMemory(0, length), cancellationToken).ConfigureAwait(false);
                        await stdout.FlushAsync(cancellationToken).ConfigureAwait(false);
                        break;
                    case ExecFrameKind.Stderr:
                        await stderr.WriteAsync(payload.AsMemory(0, length), cancellationToken).ConfigureAwait(false);
                        await stderr.FlushAsync(cancellationToken).ConfigureAwait(false);
                        break;
                    case ExecFrameKind.Exit:
                        return System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(payload.AsSpan(0, 4));
                    default:
                        var problem = System.Text.Json.JsonSerializer.Deserialize(payload.AsSpan(0, length), HakoJsonContext.Default.ProblemInfo);
                        throw new HakoApiException(problem?.Code ?? nameof(ErrorCode.Internal), problem?.Status ?? 500,
                            problem?.Title ?? nameof(ErrorCode.Internal), problem?.Detail ?? $"hakod could not finish the exec in {name}", problem?.Errors);
                }
            }
        }
    }
}
