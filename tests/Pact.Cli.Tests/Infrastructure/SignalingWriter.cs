using System.Text;

namespace Pact.Cli.Tests.Infrastructure;

/// <summary>A thread-safe StringWriter that lets a test wait until the text written so far satisfies a condition.</summary>
public sealed class SignalingWriter : TextWriter
{
    private readonly StringBuilder _text = new();
    private readonly List<(Func<string, bool> Condition, TaskCompletionSource Done)> _waiters = [];
    private readonly Lock _lock = new();

    public override Encoding Encoding => Encoding.UTF8;

    public override void Write(char value) => Append(value.ToString());

    public override void Write(string? value) => Append(value ?? "");

    public override void WriteLine(string? value) => Append((value ?? "") + NewLine);

    private void Append(string value)
    {
        lock (_lock)
        {
            _text.Append(value);
            var text = _text.ToString();
            foreach (var waiter in _waiters.Where(w => w.Condition(text)).ToList())
            {
                _waiters.Remove(waiter);
                waiter.Done.TrySetResult();
            }
        }
    }

    /// <summary>Completes when the text satisfies <paramref name="condition"/>; fails after <paramref name="timeout"/>.</summary>
    public Task WaitForAsync(Func<string, bool> condition, TimeSpan timeout)
    {
        lock (_lock)
        {
            if (condition(_text.ToString())) return Task.CompletedTask;
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((condition, done));
            return done.Task.WaitAsync(timeout);
        }
    }

    public override string ToString()
    {
        lock (_lock) return _text.ToString();
    }
}
