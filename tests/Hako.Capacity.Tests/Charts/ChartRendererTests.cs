using Hako.Capacity.Charts;

namespace Hako.Capacity.Tests.Charts;

public sealed class ChartRendererTests
{
    [Fact]
    public void RenderAggregate_WritesANonTrivialPng()
    {
        var series = Enumerable.Range(0, 2016).Select(i => 4 + 2 * Math.Sin(2 * Math.PI * i / 288)).ToArray();
        var path = Path.Combine(Path.GetTempPath(), $"hako-chart-{Guid.NewGuid():N}.png");
        try
        {
            ChartRenderer.RenderAggregate(series, prediction: 6.5, capacity: 8, path, new AggregateChartOptions
            {
                Title = "CPU, synthetic week",
                Start = new DateTimeOffset(2025, 1, 6, 0, 0, 0, TimeSpan.Zero),
                Unit = "cores",
                SplitAt = 1008,
            });
            var bytes = File.ReadAllBytes(path);
            Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], bytes[..4]);
            // Axes, labels, legend and a line: far more than a blank canvas compresses to.
            Assert.True(bytes.Length > 20_000, $"PNG is only {bytes.Length} bytes");
        }
        finally
        {
            File.Delete(path);
        }
    }
}
