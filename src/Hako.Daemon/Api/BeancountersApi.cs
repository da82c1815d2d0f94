using Hako.Contracts;
using Hako.Daemon.Beancounters;

namespace Hako.Daemon.Api;

public static class BeancountersApi
{
    public static IEndpointRouteBuilder MapBeancountersApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/ubc", (BeancounterService ubc) =>
            Results.Json(ubc.ReportAll().ToList(), HakoJsonContext.Default.ListBeancounterReport)).WithTags("beancounters");
        app.MapGet("/v1/containers/{name}/ubc", (string name, BeancounterService ubc) =>
            Results.Json(ubc.Report(name), HakoJsonContext.Default.BeancounterReport)).WithTags("beancounters");
        app.MapPost("/v1/containers/{name}/validate", (string name, BeancounterService ubc) =>
            Results.Json(ubc.Validate(name), HakoJsonContext.Default.ValidationReport)).WithTags("beancounters");
        return app;
    }
}
