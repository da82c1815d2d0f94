namespace Hako.Core;

/// <summary>
/// Undo steps for multi-step work (incus shared/revert): register an undo after each step,
/// call <see cref="Success"/> at the end; disposing without success runs the undos in reverse.
/// An undo that throws does not stop the others; each failure goes to <paramref name="undoFailed"/>
/// (the caller logs it: a silent failed undo is how half-made state goes unnoticed) and stays in
/// <see cref="Failures"/>.
/// </summary>
public sealed class Revert(Action<Exception>? undoFailed = null) : IAsyncDisposable
{
    private readonly List<Func<Task>> _undo = [];
    private bool _done;

    public List<Exception> Failures { get; } = [];

    public void Add(Func<Task> undo) => _undo.Add(undo);

    public void Add(Action undo) => _undo.Add(() => { undo(); return Task.CompletedTask; });

    public void Success() => _done = true;

    public async ValueTask DisposeAsync()
    {
        if (_done)
        {
            return;
        }

        for (var i = _undo.Count - 1; i >= 0; i--)
        {
            try
            {
                await _undo[i]();
            }
            catch (Exception e)
            {
                // Keep undoing: one failed undo must not leave the later steps behind.
                Failures.Add(e);
                undoFailed?.Invoke(e);
            }
        }
    }
}
