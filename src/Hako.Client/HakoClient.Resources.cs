using Hako.Contracts;

namespace Hako.Client;

public sealed partial class HakoClient
{
    /// <summary>GET /v1/plans: the built-in plans and the operator's.</summary>
    public Task<List<PlanInfo>> ListPlansAsync(CancellationToken cancellationToken = default) =>
        GetAsync("v1/plans", HakoJsonContext.Default.ListPlanInfo, cancellationToken);

    /// <summary>GET /v1/plans/{name}.</summary>
    public Task<PlanInfo> GetPlanAsync(string name, CancellationToken cancellationToken = default) =>
        GetAsync($"v1/plans/{Segment(name)}", HakoJsonContext.Default.PlanInfo, cancellationToken);

    /// <summary>POST /v1/plans (201): InvalidArgument carries every validation error.</summary>
    public Task<PlanInfo> CreatePlanAsync(CreatePlanRequest request, CancellationToken cancellationToken = default) =>
        SendJsonAsync(HttpMethod.Post, "v1/plans", request,
            HakoJsonContext.Default.CreatePlanRequest, HakoJsonContext.Default.PlanInfo, cancellationToken);

    /// <summary>DELETE /v1/plans/{name}; Conflict for built-in plans.</summary>
    public Task DeletePlanAsync(string name, CancellationToken cancellationToken = default) =>
        SendNoContentAsync(HttpMethod.Delete, $"v1/plans/{Segment(name)}", cancellationToken);

    /// <summary>POST /v1/plans/split: a plan giving N equal containers this node's resources (vzsplit).</summary>
    public Task<PlanInfo> SplitPlanAsync(SplitPlanRequest request, CancellationToken cancellationToken = default) =>
        SendJsonAsync(HttpMethod.Post, "v1/plans/split", request,
            HakoJsonContext.Default.SplitPlanRequest, HakoJsonContext.Default.PlanInfo, cancellationToken);

    /// <summary>GET /v1/ubc: the beancounters of every running container.</summary>
    public Task<List<BeancounterReport>> ListBeancountersAsync(CancellationToken cancellationToken = default) =>
        GetAsync("v1/ubc", HakoJsonContext.Default.ListBeancounterReport, cancellationToken);

    /// <summary>GET /v1/containers/{name}/ubc: one container's beancounters (text in /proc/user_beancounters layout).</summary>
    public Task<BeancounterReport> GetBeancountersAsync(string name, CancellationToken cancellationToken = default) =>
        GetAsync($"v1/containers/{Segment(name)}/ubc", HakoJsonContext.Default.BeancounterReport, cancellationToken);

    /// <summary>POST /v1/containers/{name}/validate: the vzcfgvalidate rules on the stored settings.</summary>
    public Task<ValidationReport> ValidateContainerAsync(string name, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, $"v1/containers/{Segment(name)}/validate", content: null,
            HakoJsonContext.Default.ValidationReport, cancellationToken);
}
