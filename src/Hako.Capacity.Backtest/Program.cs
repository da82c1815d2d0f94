using Hako.Capacity.Backtest;
using Hako.Capacity.Charts;

return BacktestRunner.Run(args, Console.Out, Console.Error, (view, path) =>
    ChartRenderer.RenderAggregate(view.Series, view.Prediction, view.Capacity, path, new AggregateChartOptions
    {
        Title = view.Title,
        Start = view.Start,
        BucketLength = view.BucketLength,
        Unit = view.Unit,
        Scale = view.Scale,
        SplitAt = view.SplitAt,
        PredictionLabel = $"{view.Rule} (test overload {view.OverloadRate:0.##%})",
        CapacityLabel = "provisioned total (static)",
    }));
