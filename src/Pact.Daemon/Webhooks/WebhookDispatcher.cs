using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Threading.Channels;
using Microsoft.Extensions.Options;
using Pact.Core.Events;
using Pact.Store;

namespace Pact.Daemon.Webhooks;

/// <summary>
/// Sends what the outbox holds (§10), at least once. It wakes when an append commits and when the next
/// scheduled attempt falls due (both on the injected <see cref="TimeProvider"/>), and otherwise sleeps.
/// First attempts of a subscription go out one at a time in seq order from a lane that drains the
/// subscription's due deliveries page by page, back to back, and records each page's outcomes in one
/// write; subscriptions run in parallel (bounded). Retries run beside the lanes, one task each, so a
/// delivery being retried never holds later ones back. Outcomes are durable before the schedule depends on
/// them, so a restart resumes the schedule where it stood.
/// </summary>
public sealed class WebhookDispatcher(
    IPactStore store, IWebhookOutbox webhooks, WebhookSecrets secrets, WebhookSender sender,
    RetrySchedule schedule, IOptions<WebhookOptions> settings, TimeProvider time, ILogger<WebhookDispatcher> logger) : BackgroundService
{
    private readonly WebhookOptions _options = settings.Value;
    private readonly Channel<byte> _wake = Channel.CreateBounded<byte>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });
    private readonly ConcurrentDictionary<string, byte> _inFlight = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _busyLanes = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _coolDown = new(StringComparer.Ordinal);
    private static readonly TimeSpan CoolDown = TimeSpan.FromSeconds(30);

    /// <summary>First attempts a lane reads, sends and records at a time.</summary>
    private const int PageSize = 64;

    /// <summary>Page records a lane may have queued at the writer before it waits for the oldest.</summary>
    private const int MaxPendingRecords = 4;

    private int _running; // lanes and retry tasks, bounded by MaxConcurrentDeliveries
    private readonly List<Task> _tasks = [];
    private readonly Lock _tasksGate = new();
    private CancellationToken _stopping;

    /// <summary>Makes the loop look at the outbox again now.</summary>
    public void Wake() => _wake.Writer.TryWrite(0);

    /// <summary>Attempts one delivery now, outside the schedule (the manual retry of §10). False when it is already being attempted.</summary>
    public bool AttemptNow(DeliveryRecord delivery) =>
        Start(new DueDelivery(delivery.DeliveryId, delivery.SubscriptionId, delivery.Seq, delivery.Attempt), manual: true);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _stopping = stoppingToken;
        store.Committed += OnCommitted;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                long? nextDue;
                try
                {
                    nextDue = await ScheduleAsync(stoppingToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    logger.LogError(e, "Scanning the webhook outbox failed; trying again shortly");
                    nextDue = time.GetUtcNow().AddSeconds(5).ToUnixTimeMilliseconds();
                }
                await WaitAsync(nextDue, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            store.Committed -= OnCommitted;
            Task[] running;
            lock (_tasksGate) running = [.. _tasks];
            // Attempts cut short by the shutdown record nothing: their rows are still due and go out after the restart.
            await Task.WhenAll(running).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    private void OnCommitted(IReadOnlyList<TranscriptEvent> events)
    {
        // A subscription whose lane is draining picks its new rows up itself (and a lane that is closing wakes
        // the loop as it goes), so only events some idle subscription may want are worth a scan of the outbox.
        var active = webhooks.ActiveSubscriptions;
        if (active.IsEmpty) return;
        foreach (var subscription in active.Values)
        {
            if (_busyLanes.ContainsKey(subscription.SubscriptionId)) continue;
            foreach (var e in events)
            {
                if (!subscription.Wants(e)) continue;
                Wake();
                return;
            }
        }
    }

    /// <summary>Starts whatever is due and allowed; returns when the next scheduled attempt falls due.</summary>
    private async Task<long?> ScheduleAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var max = Math.Max(1, _options.MaxConcurrentDeliveries);
        var work = await webhooks.LoadDueAsync(now, max * 4, ct);
        long? coolingUntil = null;
        foreach (var (id, until) in _coolDown)
        {
            if (until <= now) _coolDown.TryRemove(id, out _);
            else coolingUntil = Math.Min(coolingUntil ?? long.MaxValue, until);
        }
        foreach (var first in work.FirstAttempts)
        {
            if (Volatile.Read(ref _running) >= max) break;
            if (_coolDown.ContainsKey(first.DeliveryId) || !_busyLanes.TryAdd(first.SubscriptionId, 0)) continue;
            StartLane(first.SubscriptionId);
        }
        foreach (var retry in work.Retries)
        {
            if (Volatile.Read(ref _running) >= max) break;
            if (!_coolDown.ContainsKey(retry.DeliveryId)) Start(retry, manual: false);
        }
        lock (_tasksGate) _tasks.RemoveAll(t => t.IsCompleted);
        return coolingUntil is { } cool && (work.NextDueAt is null || cool < work.NextDueAt) ? cool : work.NextDueAt;
    }

    private async Task WaitAsync(long? nextDue, CancellationToken ct)
    {
        ITimer? timer = null;
        if (nextDue is { } due)
        {
            var delay = due - time.GetUtcNow().ToUnixTimeMilliseconds();
            if (delay <= 0) return;
            timer = time.CreateTimer(static state => ((WebhookDispatcher)state!).Wake(), this, TimeSpan.FromMilliseconds(delay), Timeout.InfiniteTimeSpan);
            // A clock that jumped between reading it and arming the timer (a test's FakeTimeProvider) armed it late: look again.
            if (time.GetUtcNow().ToUnixTimeMilliseconds() >= due) Wake();
        }
        try
        {
            await _wake.Reader.ReadAsync(ct);
        }
        finally
        {
            if (timer is not null) await timer.DisposeAsync();
        }
    }

    private bool Start(DueDelivery delivery, bool manual)
    {
        if (!_inFlight.TryAdd(delivery.DeliveryId, 0)) return false;
        Interlocked.Increment(ref _running);
        var task = Task.Run(async () =>
        {
            try
            {
                await AttemptAsync(delivery, manual, _stopping);
            }
            catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
            {
            }
            catch (Exception e)
            {
                // Unrecorded (the store itself failed?): leave the row alone for a while rather than spin on it.
                _coolDown[delivery.DeliveryId] = time.GetUtcNow().Add(CoolDown).ToUnixTimeMilliseconds();
                logger.LogError(e, "Webhook delivery {DeliveryId} (seq {Seq}) could not be attempted; trying again in {CoolDown}", delivery.DeliveryId, delivery.Seq, CoolDown);
            }
            finally
            {
                _inFlight.TryRemove(delivery.DeliveryId, out _);
                Interlocked.Decrement(ref _running);
                Wake();
            }
        }, CancellationToken.None);
        lock (_tasksGate) _tasks.Add(task);
        return true;
    }

    /// <summary>Starts draining a subscription's first attempts; its lane is already claimed.</summary>
    private void StartLane(string subscriptionId)
    {
        Interlocked.Increment(ref _running);
        var task = Task.Run(async () =>
        {
            try
            {
                await DrainLaneAsync(subscriptionId, _stopping);
            }
            catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
            {
            }
            finally
            {
                _busyLanes.TryRemove(subscriptionId, out _);
                Interlocked.Decrement(ref _running);
                Wake(); // whatever committed while the lane was closing is picked up by the next scan
            }
        }, CancellationToken.None);
        lock (_tasksGate) _tasks.Add(task);
    }

    /// <summary>
    /// Sends a subscription's due first attempts in seq order, one at a time and back to back, a page at a
    /// time. A page's outcomes are recorded in one write, which commits while the next pages are being sent;
    /// the writer is a FIFO queue, so records commit in seq order and the run of failures counts as one by one.
    /// Sending before recording is safe: a crash in between leaves the rows pending with attempt 0, so they go
    /// out again after the restart — a redelivery with the same webhook-id, which at-least-once allows and
    /// receivers deduplicate. The cursor (the last seq sent) keeps the next page from re-reading rows whose
    /// record has not committed yet. A failure that ends a delivery (410, or no attempt left) stops the page
    /// and waits for every record before anything else goes out, so disabling takes effect exactly as one by one.
    /// </summary>
    private async Task DrainLaneAsync(string subscriptionId, CancellationToken ct)
    {
        var cursor = 0L;
        var recording = new Queue<Task<bool>>();
        try
        {
            while (!ct.IsCancellationRequested)
            {
                var now = time.GetUtcNow().ToUnixTimeMilliseconds();
                var page = await webhooks.LoadFirstAttemptsAsync(subscriptionId, cursor, now, PageSize, ct);
                if (page.Target is not { Status: SubscriptionRecord.Active } target || page.Due.Count == 0) break;

                byte[]? key = null;
                Exception? keyFailure = null;
                try
                {
                    key = secrets.Open(target.SealedSecret, target.SubscriptionId);
                }
                catch (CryptographicException failure)
                {
                    keyFailure = failure;
                }

                var outcomes = new List<(DueDelivery Delivery, AttemptOutcome Outcome)>(page.Due.Count);
                var stop = false;      // the page ended early: its record must commit before going on
                var yieldLane = false; // something else holds a delivery: leave the lane to the scheduler
                try
                {
                    foreach (var delivery in page.Due)
                    {
                        if (_coolDown.ContainsKey(delivery.DeliveryId) || !_inFlight.TryAdd(delivery.DeliveryId, 0))
                        {
                            yieldLane = true; // keep seq order: nothing after it goes out before it does
                            break;
                        }
                        try
                        {
                            var outcome = await SendAsync(delivery, target, key, keyFailure, ct);
                            outcomes.Add((delivery, outcome));
                            cursor = delivery.Seq;
                            if (!outcome.Result.Succeeded && (outcome.Result.HttpStatus == 410 || schedule.MaxAttempts <= delivery.Attempt + 1))
                            {
                                stop = true;
                                break;
                            }
                        }
                        finally
                        {
                            _inFlight.TryRemove(delivery.DeliveryId, out _);
                        }
                    }
                }
                finally
                {
                    // Sent is sent: record it even when shutdown cut the page short, so a restart does not resend it.
                    if (outcomes.Count > 0) recording.Enqueue(RecordPageAsync(outcomes));
                }
                // A failed record leaves its rows pending (cooling down); the lane ends and they go out again later.
                while (recording.Count > 0 && (stop || yieldLane || recording.Count > MaxPendingRecords || recording.Peek().IsCompleted))
                    if (!await recording.Dequeue()) return;
                if (yieldLane) return;
            }
        }
        finally
        {
            // The lane stays claimed until its records committed: a new lane starts from the outbox rows.
            while (recording.Count > 0) await recording.Dequeue();
        }
    }

    /// <summary>Records a page's outcomes in one write and reports them; false when the write failed (the page's rows cool down and go out again later).</summary>
    private async Task<bool> RecordPageAsync(List<(DueDelivery Delivery, AttemptOutcome Outcome)> page)
    {
        IReadOnlyList<RecordedAttempt?> recorded;
        try
        {
            recorded = await webhooks.RecordManyAsync(page.ConvertAll(p => p.Outcome), RetryPolicy, CancellationToken.None);
        }
        catch (Exception e)
        {
            var until = time.GetUtcNow().Add(CoolDown).ToUnixTimeMilliseconds();
            _coolDown[page[0].Delivery.DeliveryId] = until; // the lane's first pending row: it restarts there
            logger.LogError(e, "Recording {Count} webhook deliveries from seq {Seq} failed; they go out again in {CoolDown}", page.Count, page[0].Delivery.Seq, CoolDown);
            return false;
        }
        for (var i = 0; i < page.Count; i++)
            WebhookTelemetry.Report(logger, page[i].Delivery.SubscriptionId, page[i].Outcome.Result, recorded[i]);
        return true;
    }

    /// <summary>One first attempt of a lane; "cannot be prepared" counts as a failed attempt, as for retries.</summary>
    private async Task<AttemptOutcome> SendAsync(DueDelivery delivery, DeliveryTarget target, byte[]? key, Exception? keyFailure, CancellationToken ct)
    {
        var webhookId = WebhookSender.WebhookId(delivery.Seq);
        var attemptedAt = time.GetUtcNow();
        if (keyFailure is not null) return Unprepared(delivery, webhookId, attemptedAt, keyFailure);
        byte[] body;
        try
        {
            body = await sender.ReadBodyAsync(delivery.Seq, ct);
        }
        catch (Exception failure) when (failure is TranscriptIntegrityException or InvalidOperationException)
        {
            return Unprepared(delivery, webhookId, attemptedAt, failure);
        }
        var result = await sender.PostAsync(target, key!, webhookId, attemptedAt, body, ct);
        ct.ThrowIfCancellationRequested();
        return new AttemptOutcome(delivery.DeliveryId, attemptedAt, time.GetUtcNow(), result);
    }

    private AttemptOutcome Unprepared(DueDelivery delivery, string webhookId, DateTimeOffset attemptedAt, Exception failure)
    {
        logger.LogError(failure, "Webhook {WebhookId} to {SubscriptionId} cannot be prepared", webhookId, delivery.SubscriptionId);
        return new AttemptOutcome(delivery.DeliveryId, attemptedAt, time.GetUtcNow(), new AttemptResult(null, null, "cannot be prepared: " + failure.Message));
    }

    private async Task AttemptAsync(DueDelivery delivery, bool manual, CancellationToken ct)
    {
        if (!manual)
        {
            // The worklist was read before this attempt was claimed; an attempt that finished in between may
            // already have moved the row on. Claiming (the in-flight set) happens after its record committed,
            // so a fresh read is the truth.
            var current = await webhooks.GetDeliveryAsync(delivery.SubscriptionId, delivery.DeliveryId, ct);
            if (current is null || current.Status != DeliveryRecord.Pending || current.Attempt != delivery.Attempt ||
                current.NextAttemptAt > time.GetUtcNow().ToUnixTimeMilliseconds()) return;
        }
        var target = await webhooks.GetTargetAsync(delivery.SubscriptionId, ct);
        if (target is null || (!manual && target.Status != SubscriptionRecord.Active)) return;
        var webhookId = WebhookSender.WebhookId(delivery.Seq);
        var attemptedAt = time.GetUtcNow();
        byte[] body, key;
        try
        {
            body = await sender.ReadBodyAsync(delivery.Seq, ct);
            key = secrets.Open(target.SealedSecret, target.SubscriptionId);
        }
        catch (Exception failure) when (failure is CryptographicException or TranscriptIntegrityException or InvalidOperationException)
        {
            // Nothing can be sent (a lost or replaced webhook.key, a damaged transcript): count it as a failed
            // attempt so the schedule moves on instead of retrying at once, and say why.
            logger.LogError(failure, "Webhook {WebhookId} to {SubscriptionId} cannot be prepared", webhookId, delivery.SubscriptionId);
            await RecordAsync(delivery, attemptedAt, new AttemptResult(null, null, "cannot be prepared: " + failure.Message));
            return;
        }

        var result = await sender.PostAsync(target, key, webhookId, attemptedAt, body, ct);
        ct.ThrowIfCancellationRequested();
        await RecordAsync(delivery, attemptedAt, result);
    }

    private async Task RecordAsync(DueDelivery delivery, DateTimeOffset attemptedAt, AttemptResult result)
    {
        var recorded = await webhooks.RecordAsync(new AttemptOutcome(delivery.DeliveryId, attemptedAt, time.GetUtcNow(), result), RetryPolicy, CancellationToken.None);
        WebhookTelemetry.Report(logger, delivery.SubscriptionId, result, recorded);
    }

    /// <summary>When the store schedules a failed delivery's next attempt, and how many failed deliveries in a row disable a subscription.</summary>
    private RetryPolicy RetryPolicy => field ??= new RetryPolicy(
        (attempts, now, retryAfter) => schedule.Next(attempts, now, retryAfter, Random.Shared), Math.Max(1, _options.DisableAfterFailedDeliveries));
}
