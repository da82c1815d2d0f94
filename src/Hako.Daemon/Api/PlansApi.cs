using Hako.Contracts;
using Hako.Core.Errors;
using Hako.Daemon.Resources;

namespace Hako.Daemon.Api;

public static class PlansApi
{
    public static RouteGroupBuilder MapPlansApi(this IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/v1/plans").WithTags("plans");

        g.MapGet("/", (PlanCatalog plans) =>
            Results.Json(plans.List().Select(p => plans.ToInfo(p.Plan, p.BuiltIn)).ToList(), HakoJsonContext.Default.ListPlanInfo));

        g.MapGet("/{name}", (string name, PlanCatalog plans) =>
        {
            var plan = plans.TryResolve(name) ?? throw HakoException.NotFound($"Plan {name} does not exist; see hako plan list");
            var builtIn = plans.List().Any(p => p.BuiltIn && p.Plan.Name == name);
            return Results.Json(plans.ToInfo(plan, builtIn), HakoJsonContext.Default.PlanInfo);
        });

        g.MapPost("/", (CreatePlanRequest req, PlanCatalog plans) =>
        {
            var flags = PlanCodec.FromRequest(req.Memory, req.Swap, req.Cpus, req.CpuLimit, req.CpuUnits, req.Processes, req.Disk, req.Resources)
                with { Description = req.Description };
            var plan = plans.Create(req.Name, req.Base, flags);
            return Results.Json(plans.ToInfo(plan, false), HakoJsonContext.Default.PlanInfo, statusCode: StatusCodes.Status201Created);
        });

        g.MapPost("/split", (SplitPlanRequest req, PlanCatalog plans) =>
        {
            if (req.Count is < 1 or > 100_000)
            {
                throw HakoException.Invalid($"Split count {req.Count} is out of range; use 1..100000 containers");
            }

            var plan = plans.Split(req.Count, req.Name, req.Save);
            return Results.Json(plans.ToInfo(plan, false), HakoJsonContext.Default.PlanInfo);
        });

        g.MapDelete("/{name}", (string name, PlanCatalog plans) =>
        {
            plans.Remove(name);
            return Results.NoContent();
        });
        return g;
    }
}
