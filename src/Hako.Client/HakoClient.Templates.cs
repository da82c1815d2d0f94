using Hako.Contracts;

namespace Hako.Client;

public sealed partial class HakoClient
{
    /// <summary>GET /v1/templates.</summary>
    public Task<List<TemplateInfo>> ListTemplatesAsync(CancellationToken cancellationToken = default) =>
        GetAsync("v1/templates", HakoJsonContext.Default.ListTemplateInfo, cancellationToken);

    /// <summary>GET /v1/templates/{name}.</summary>
    public Task<TemplateInfo> GetTemplateAsync(string name, CancellationToken cancellationToken = default) =>
        GetAsync($"v1/templates/{Segment(name)}", HakoJsonContext.Default.TemplateInfo, cancellationToken);

    /// <summary>POST /v1/templates/build: busybox, or debian-12 through debootstrap.</summary>
    public Task<OperationInfo> BuildTemplateAsync(BuildTemplateRequest request, CancellationToken cancellationToken = default) =>
        SendJsonAsync(HttpMethod.Post, "v1/templates/build", request,
            HakoJsonContext.Default.BuildTemplateRequest, HakoJsonContext.Default.OperationInfo, cancellationToken);

    /// <summary>POST /v1/templates/import: <see cref="ImportTemplateRequest.Path"/> is a tarball path on the node.</summary>
    public Task<OperationInfo> ImportTemplateAsync(ImportTemplateRequest request, CancellationToken cancellationToken = default) =>
        SendJsonAsync(HttpMethod.Post, "v1/templates/import", request,
            HakoJsonContext.Default.ImportTemplateRequest, HakoJsonContext.Default.OperationInfo, cancellationToken);

    /// <summary>DELETE /v1/templates/{name}; Conflict while containers use it.</summary>
    public Task DeleteTemplateAsync(string name, CancellationToken cancellationToken = default) =>
        SendNoContentAsync(HttpMethod.Delete, $"v1/templates/{Segment(name)}", cancellationToken);
}
