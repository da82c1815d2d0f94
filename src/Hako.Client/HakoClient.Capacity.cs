using System.Globalization;
using Hako.Contracts;

namespace Hako.Client;

public sealed partial class HakoClient
{
    /// <summary>GET /v1/capacity: per resource, capacity, commitments, peak, prediction at ε, risk, headroom; K more of a plan.</summary>
    public Task<CapacityInfo> GetCapacityAsync(double? epsilon = null, string? plan = null, CancellationToken cancellationToken = default) =>
        GetAsync("v1/capacity" + Query(("epsilon", epsilon?.ToString("R", CultureInfo.InvariantCulture)), ("plan", plan)),
            HakoJsonContext.Default.CapacityInfo, cancellationToken);

    /// <summary>GET /v1/capacity/chart: the node's aggregate usage of one resource against the prediction and capacity, as PNG bytes.</summary>
    public async Task<byte[]> GetCapacityChartAsync(string resource, double? epsilon = null, CancellationToken cancellationToken = default)
    {
        var path = "v1/capacity/chart" + Query(("resource", resource), ("epsilon", epsilon?.ToString("R", CultureInfo.InvariantCulture)));
        using var response = await SendCoreAsync(HttpMethod.Get, path, content: null, cancellationToken).ConfigureAwait(false);
        return await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>GET /v1/usage/export: the containers' 5-minute CPU and memory means as CSV, copied to <paramref name="output"/>.</summary>
    public async Task ExportUsageAsync(string? since, Stream output, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(output);
        using var response = await SendCoreAsync(HttpMethod.Get, "v1/usage/export" + Query(("since", since)), content: null, cancellationToken)
            .ConfigureAwait(false);
        await response.Content.CopyToAsync(output, cancellationToken).ConfigureAwait(false);
    }

    private static string Query(params (string Key, string? Value)[] parameters)
    {
        var parts = parameters.Where(p => p.Value is not null).Select(p => $"{p.Key}={Uri.EscapeDataString(p.Value!)}").ToList();
        return parts.Count == 0 ? "" : "?" + string.Join('&', parts);
    }
}
