using Hako.Capacity.Backtest;

return BacktestRunner.Run(args, Console.Out, Console.Error);
