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

    /// <summary>POST /v1/containers/{name}/exec: runs a command and returns its buffered output (remote form).</summary>
    public Task<ExecResult> ExecAsync(string name, ExecRequest request, CancellationToken cancellationToken = default) =>
        SendJsonAsync(HttpMethod.Post, $"v1/containers/{Segment(name)}/exec", request,
            HakoJsonContext.Default.ExecRequest, HakoJsonContext.Default.ExecResult, cancellationToken);
}
