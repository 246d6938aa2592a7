package dev.keel.authz.filter;

import dev.keel.authz.BulkCheckResult;
import dev.keel.authz.Check;
import dev.keel.authz.CheckResult;
import dev.keel.authz.Consistency;
import dev.keel.authz.LookupResult;
import dev.keel.authz.ObjectRef;
import dev.keel.authz.PermissionsClient;
import dev.keel.authz.PermissionsException;
import dev.keel.authz.SubjectRef;
import dev.keel.core.observe.Observation;
import dev.keel.core.observe.ObservationContext;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes retrieved hits the asking subject may not read, before anything reaches a model. Generic
 * over the hit type: give it a function from a hit to the SpiceDB resource it belongs to.
 *
 * <pre>{@code
 * PostFilter<Hit> readable = PostFilter.of(spicedb, "read", hit -> ObjectRef.of("document", hit.sourceId()));
 * List<Hit> visible = readable.keep(hits, SubjectRef.of("user", "emilia"));
 * List<Hit> fresh = readable.keep(hits, user, Consistency.atLeastAsFresh(tokenOfTheLastWrite));
 * FilterResult<Hit> top3 = readable.topK((offset, limit) -> retriever.search(query, offset, limit), 3, user);
 * }</pre>
 *
 * <p><b>Fails closed.</b> A hit is kept only when SpiceDB answered {@link CheckResult#HAS_PERMISSION}
 * for its resource. An error, a timeout, a conditional (caveated) answer, a missing answer or an
 * extractor failure drops the hit; {@link FilterResult#dropped()} says which and why, without content.
 *
 * <p>Rank order is kept. Each distinct resource is checked once per call, in bulk checks of
 * {@link Builder#batchSize(int)} resources. {@link #topK} over-fetches from a {@link HitSource} until
 * it has {@code k} readable hits or the source is exhausted.
 *
 * <p>Consistency is the builder's (by default the client's default) unless a call gives its own: a
 * request that must see its own write passes that write's {@link dev.keel.authz.ZedToken} to the call,
 * and the same filter serves every request.
 *
 * <p>Immutable and thread-safe.
 *
 * @param <H> the hit type
 */
public final class PostFilter<H> {
    private static final Logger LOG = LoggerFactory.getLogger(PostFilter.class);

    private final PermissionsClient client;
    private final String permission;
    private final Function<? super H, ObjectRef> resourceOf;
    private final int batchSize;
    private final Consistency consistency;
    private final Duration timeout;
    private final Clock clock;
    private final FilterStrategy strategy;
    private final int preFilterLimit;
    private final double overFetch;
    private final int maxFetches;
    private final Map<String, Object> context;

    private PostFilter(Builder<H> b) {
        this.context = b.context;
        this.client = b.client;
        this.permission = b.permission;
        this.resourceOf = b.resourceOf;
        this.batchSize = b.batchSize;
        this.consistency = b.consistency;
        this.timeout = b.timeout;
        this.clock = b.clock;
        this.strategy = b.strategy;
        this.preFilterLimit = b.preFilterLimit;
        this.overFetch = b.overFetch;
        this.maxFetches = b.maxFetches;
    }

    /**
     * A filter with the defaults: bulk checks of 100, the client's default consistency, 5 s budget.
     *
     * @param <H> the hit type
     * @param client the SpiceDB client the checks go to
     * @param permission the permission a hit's resource must grant, for example {@code read}
     * @param resourceOf maps a hit to the resource it belongs to; a failure drops the hit
     * @return a filter with the defaults
     */
    public static <H> PostFilter<H> of(PermissionsClient client, String permission,
                                       Function<? super H, ObjectRef> resourceOf) {
        return PostFilter.<H>builder(client, permission, resourceOf).build();
    }

    /**
     * A builder for the options.
     *
     * @param <H> the hit type
     * @param client the SpiceDB client the checks go to
     * @param permission the permission a hit's resource must grant, for example {@code read}
     * @param resourceOf maps a hit to the resource it belongs to; a failure drops the hit
     * @return a builder for the options
     */
    public static <H> Builder<H> builder(PermissionsClient client, String permission,
                                         Function<? super H, ObjectRef> resourceOf) {
        return new Builder<>(client, permission, resourceOf);
    }

    /**
     * The readable hits of {@code rankedHits}, in order.
     *
     * @param rankedHits the hits, best first
     * @param subject the subject asking, usually the end user
     * @return the readable hits of {@code rankedHits}
     */
    public List<H> keep(List<? extends H> rankedHits, SubjectRef subject) {
        return filter(rankedHits, subject).kept();
    }

    /**
     * The readable hits of {@code rankedHits}, in order, checked with {@code consistency}.
     *
     * @param rankedHits the hits, best first
     * @param subject the subject asking, usually the end user
     * @param consistency how fresh the permission data must be, for example {@link Consistency#atLeastAsFresh}
     *     with the token of the user's last write
     * @return the readable hits of {@code rankedHits}
     */
    public List<H> keep(List<? extends H> rankedHits, SubjectRef subject, Consistency consistency) {
        return filter(rankedHits, subject, consistency).kept();
    }

    /**
     * Filters {@code rankedHits} and reports what was dropped.
     *
     * @param rankedHits the hits, best first
     * @param subject the subject asking, usually the end user
     * @return what was kept and what was dropped, and why
     */
    public FilterResult<H> filter(List<? extends H> rankedHits, SubjectRef subject) {
        return filter(rankedHits, subject, consistency);
    }

    /**
     * Filters {@code rankedHits} with checks at {@code consistency} and reports what was dropped.
     *
     * @param rankedHits the hits, best first
     * @param subject the subject asking, usually the end user
     * @param consistency how fresh the permission data must be, for example {@link Consistency#atLeastAsFresh}
     *     with the token of the user's last write
     * @return what was kept and what was dropped, and why
     */
    public FilterResult<H> filter(List<? extends H> rankedHits, SubjectRef subject, Consistency consistency) {
        Objects.requireNonNull(subject, "subject");
        Run run = new Run(subject, consistency);
        List<H> kept = new ArrayList<>();
        List<DroppedHit> dropped = new ArrayList<>();
        run.decide(rankedHits, 0, kept, dropped, Integer.MAX_VALUE);
        return run.result(kept, dropped, rankedHits.size());
    }

    /**
     * The best {@code k} readable hits from {@code source}, fetching more (about {@code k × overFetch}
     * at a time) while denials leave fewer than {@code k}, up to the builder's fetch limit.
     *
     * @param source fetches further hits on demand
     * @param k how many readable hits are wanted
     * @param subject the subject asking, usually the end user
     * @return the best {@code k} readable hits from {@code source}
     */
    public FilterResult<H> topK(HitSource<? extends H> source, int k, SubjectRef subject) {
        return topK(source, k, subject, consistency);
    }

    /**
     * {@link #topK(HitSource, int, SubjectRef)} with checks at {@code consistency}.
     *
     * @param source fetches further hits on demand
     * @param k how many readable hits are wanted
     * @param subject the subject asking, usually the end user
     * @param consistency how fresh the permission data must be, for example {@link Consistency#atLeastAsFresh}
     *     with the token of the user's last write
     * @return the kept hits and what was dropped, and why
     */
    public FilterResult<H> topK(HitSource<? extends H> source, int k, SubjectRef subject, Consistency consistency) {
        Objects.requireNonNull(subject, "subject");
        if (k <= 0) {
            throw new IllegalArgumentException("k must be positive, got " + k);
        }
        Run run = new Run(subject, consistency);
        List<H> kept = new ArrayList<>();
        List<DroppedHit> dropped = new ArrayList<>();
        int offset = 0;
        int fetch = (int) Math.ceil(k * overFetch);
        for (int round = 0; round < maxFetches && kept.size() < k; round++) {
            List<? extends H> page = source.fetch(offset, fetch);
            run.decide(page, offset, kept, dropped, k);
            offset += page.size();
            if (page.size() < fetch) {
                break;
            }
            fetch = (int) Math.ceil(Math.max(1, k - kept.size()) * overFetch * 2);
        }
        return run.result(kept, dropped, offset);
    }

    /** State of one filtering call: answers per resource, the deadline, what the strategy resolved to. */
    private final class Run {
        private final SubjectRef subject;
        private final Consistency consistency;
        private final Instant deadline = clock.instant().plus(timeout);
        private final Map<ObjectRef, Verdict> verdicts = new HashMap<>();
        private final Map<String, Set<String>> readableByType = new HashMap<>();
        private final Set<String> tooManyToLookUp = new HashSet<>();
        private FilterStrategy used = strategy == FilterStrategy.AUTO ? FilterStrategy.PRE_FILTER : strategy;
        // Resource ids and outcomes for whoever observes this step (a trace, a run recording); never hit content.
        private final ObservationContext observing = ObservationContext.current();
        private final List<Observation.PermissionDecision> decisions = observing.isEmpty() ? null : new ArrayList<>();
        private final Instant started = Instant.now();

        Run(SubjectRef subject, Consistency consistency) {
            this.subject = subject;
            this.consistency = Objects.requireNonNull(consistency, "consistency");
        }

        /** Decides hits (ranks start at {@code firstRank}), appending to kept/dropped until {@code k} are kept. */
        void decide(List<? extends H> hits, int firstRank, List<H> kept, List<DroppedHit> dropped, int k) {
            List<ObjectRef> resources = new ArrayList<>(hits.size());
            Set<ObjectRef> unknown = new LinkedHashSet<>();
            for (H hit : hits) {
                ObjectRef ref;
                try {
                    ref = resourceOf.apply(hit);
                } catch (RuntimeException e) {
                    ref = null;
                }
                resources.add(ref);
                if (ref != null && !verdicts.containsKey(ref)) {
                    unknown.add(ref);
                }
            }
            resolve(new ArrayList<>(unknown));
            for (int i = 0; i < hits.size() && kept.size() < k; i++) {
                ObjectRef ref = resources.get(i);
                if (ref == null) {
                    dropped.add(new DroppedHit(firstRank + i, null, DropReason.INVALID_RESOURCE, "no resource for hit"));
                    observed("?", DropReason.INVALID_RESOURCE);
                    continue;
                }
                Verdict v = verdicts.get(ref);
                if (v.reason == null) {
                    kept.add(hits.get(i));
                } else {
                    dropped.add(new DroppedHit(firstRank + i, ref, v.reason, v.detail));
                }
                observed(ref.toString(), v.reason);
            }
        }

        FilterResult<H> result(List<H> kept, List<DroppedHit> dropped, int examined) {
            if (!dropped.isEmpty()) {
                LOG.debug("permission filter for {} kept {}, dropped {}", subject, kept.size(), dropped.size());
            }
            FilterResult<H> result = new FilterResult<>(kept, dropped, examined, used);
            if (decisions != null) {
                observing.report(new Observation.PermissionFilter(permission, subject.toString(), decisions,
                        result.failedClosed(), started, Duration.between(started, Instant.now())));
            }
            return result;
        }

        private void observed(String resource, DropReason reason) {
            if (decisions != null) {
                decisions.add(new Observation.PermissionDecision(resource, reason == null, reason == null ? "" : reason.name()));
            }
        }

        private void resolve(List<ObjectRef> refs) {
            if (refs.isEmpty()) {
                return;
            }
            List<ObjectRef> toCheck = new ArrayList<>();
            if (strategy == FilterStrategy.POST_FILTER) {
                toCheck.addAll(refs);
            } else {
                Map<String, List<ObjectRef>> byType = new LinkedHashMap<>();
                refs.forEach(r -> byType.computeIfAbsent(r.type(), t -> new ArrayList<>()).add(r));
                for (Map.Entry<String, List<ObjectRef>> e : byType.entrySet()) {
                    if (!lookUp(e.getKey(), e.getValue())) {
                        toCheck.addAll(e.getValue());
                    }
                }
            }
            for (int from = 0; from < toCheck.size(); from += batchSize) {
                List<ObjectRef> batch = toCheck.subList(from, Math.min(toCheck.size(), from + batchSize));
                checkBatch(batch);
            }
        }

        /** Pre-filter: decides {@code refs} from a LookupResources listing; false when it fell back to checks. */
        private boolean lookUp(String type, List<ObjectRef> refs) {
            if (tooManyToLookUp.contains(type)) {
                return false;
            }
            Set<String> readable = readableByType.get(type);
            if (readable == null) {
                if (expired()) {
                    refs.forEach(r -> verdicts.put(r, new Verdict(DropReason.TIMEOUT, "filter time budget spent")));
                    return true;
                }
                readable = new HashSet<>();
                long limit = strategy == FilterStrategy.AUTO ? preFilterLimit : Long.MAX_VALUE;
                try (Stream<LookupResult> found = client.lookupResources(type, permission, subject, consistency)) {
                    var it = found.iterator();
                    while (it.hasNext()) {
                        LookupResult r = it.next();
                        if (r.permissionship() == CheckResult.HAS_PERMISSION) {
                            readable.add(r.resourceId());
                        }
                        if (readable.size() > limit) {
                            tooManyToLookUp.add(type);
                            used = FilterStrategy.POST_FILTER;
                            return false;
                        }
                    }
                } catch (RuntimeException e) {
                    Verdict v = failure(e);
                    refs.forEach(r -> verdicts.put(r, v));
                    return true;
                }
                readableByType.put(type, readable);
            }
            for (ObjectRef r : refs) {
                verdicts.put(r, readable.contains(r.id()) ? Verdict.ALLOW : new Verdict(DropReason.DENIED, ""));
            }
            return true;
        }

        private void checkBatch(List<ObjectRef> batch) {
            if (expired()) {
                batch.forEach(r -> verdicts.put(r, new Verdict(DropReason.TIMEOUT, "filter time budget spent")));
                return;
            }
            List<Check> checks = batch.stream().map(r -> new Check(r, permission, subject, context)).toList();
            List<BulkCheckResult> results;
            try {
                results = client.checkBulk(checks, consistency);
            } catch (RuntimeException e) {
                Verdict v = failure(e);
                batch.forEach(r -> verdicts.put(r, v));
                return;
            }
            for (int i = 0; i < batch.size(); i++) {
                BulkCheckResult r = i < results.size() ? results.get(i) : null;
                Verdict v;
                if (r == null || !r.check().equals(checks.get(i))) {
                    v = new Verdict(DropReason.ERROR, "no answer for this item");
                } else if (r.error() != null) {
                    v = new Verdict(DropReason.ERROR, r.error());
                } else if (r.result() == CheckResult.HAS_PERMISSION) {
                    v = Verdict.ALLOW;
                } else if (r.result() == CheckResult.CONDITIONAL) {
                    v = new Verdict(DropReason.CONDITIONAL, "caveat context missing");
                } else {
                    v = new Verdict(DropReason.DENIED, "");
                }
                verdicts.put(batch.get(i), v);
            }
        }

        private boolean expired() {
            return clock.instant().isAfter(deadline);
        }

        private Verdict failure(RuntimeException e) {
            if (e instanceof PermissionsException pe && pe.isTimeout()) {
                return new Verdict(DropReason.TIMEOUT, pe.operation() + " deadline exceeded");
            }
            LOG.warn("permission check failed, denying the affected hits: {}", e.toString());
            String detail = e instanceof PermissionsException pe ? pe.operation() + " " + pe.status() : e.getClass().getSimpleName();
            return new Verdict(DropReason.ERROR, detail);
        }
    }

    /** Null reason = allowed. */
    private record Verdict(DropReason reason, String detail) {
        static final Verdict ALLOW = new Verdict(null, "");
    }

    @Override
    public String toString() {
        return "PostFilter[permission=" + permission + ", strategy=" + strategy + ", batchSize=" + batchSize
                + ", timeout=" + timeout + ", consistency=" + consistency + "]";
    }

    /**
     * Options of a {@link PostFilter}. Not thread-safe; build once and share the filter.
     *
     * @param <H> the hit type
     */
    public static final class Builder<H> {
        private final PermissionsClient client;
        private final String permission;
        private final Function<? super H, ObjectRef> resourceOf;
        private int batchSize = 100;
        private Consistency consistency;
        private Duration timeout = Duration.ofSeconds(5);
        private Clock clock = Clock.systemUTC();
        private FilterStrategy strategy = FilterStrategy.POST_FILTER;
        private int preFilterLimit = 50;
        private double overFetch = 2.0;
        private int maxFetches = 4;
        private Map<String, Object> context = Map.of();

        private Builder(PermissionsClient client, String permission, Function<? super H, ObjectRef> resourceOf) {
            this.client = Objects.requireNonNull(client, "client");
            this.permission = Objects.requireNonNull(permission, "permission");
            this.resourceOf = Objects.requireNonNull(resourceOf, "resourceOf");
            this.consistency = client.defaultConsistency();
        }

        /**
         * Resources per bulk check, 1 to 1000 (default 100).
         *
         * @param size resources per bulk check, 1 to 1000 (default 100)
         * @return this builder
         */
        public Builder<H> batchSize(int size) {
            if (size < 1 || size > 1000) {
                throw new IllegalArgumentException("batchSize must be between 1 and 1000, got " + size);
            }
            this.batchSize = size;
            return this;
        }

        /**
         * Consistency of the checks (default: the client's default).
         *
         * @param consistency consistency of the checks (default: the client's default)
         * @return this builder
         */
        public Builder<H> consistency(Consistency consistency) {
            this.consistency = Objects.requireNonNull(consistency, "consistency");
            return this;
        }

        /**
         * Time budget of one filtering call (default 5 s): batches not started within it are dropped as
         * {@link DropReason#TIMEOUT}. A single call is bounded by the client's own deadline.
         *
         * @param timeout time budget of one filtering call (default 5 s): batches not started within it are
         *     dropped as {@link DropReason#TIMEOUT}
         * @return this builder
         */
        public Builder<H> timeout(Duration timeout) {
            Objects.requireNonNull(timeout, "timeout");
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("timeout must be positive");
            }
            this.timeout = timeout;
            return this;
        }

        /**
         * The clock the time budget is measured on (default: the system clock); tests pass their own.
         *
         * @param clock the clock the time budget is measured on (default: the system clock); tests pass their own
         * @return this builder
         */
        public Builder<H> clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * Post-filter (default), pre-filter through LookupResources, or decide per call ({@link
         * FilterStrategy#AUTO}).
         *
         * @param strategy the strategy
         * @return this builder
         */
        public Builder<H> strategy(FilterStrategy strategy) {
            this.strategy = Objects.requireNonNull(strategy, "strategy");
            return this;
        }

        /**
         * For {@link FilterStrategy#AUTO}: pre-filter only when the subject can read at most this many resources
         * of a type (default 50: on the embedded store listing ~330 readable documents took ~39 ms against ~2.4 ms
         * for a bulk check of 50 hits, see benchmarks/run authz).
         *
         * @param limit the most readable resources of a type for which the pre-filter is used
         * @return this builder
         */
        public Builder<H> preFilterLimit(int limit) {
            if (limit < 0) {
                throw new IllegalArgumentException("preFilterLimit must be >= 0");
            }
            this.preFilterLimit = limit;
            return this;
        }

        /**
         * For {@link PostFilter#topK}: fetch about {@code factor × k} hits per round (default 2) in at most {@code
         * maxFetches} rounds (default 4).
         *
         * @param factor how many hits to fetch per readable hit still missing
         * @param maxFetches the most fetch rounds
         * @return this builder
         */
        public Builder<H> overFetch(double factor, int maxFetches) {
            if (!(factor >= 1.0) || maxFetches < 1) {
                throw new IllegalArgumentException("overFetch factor must be >= 1 and maxFetches >= 1");
            }
            this.overFetch = factor;
            this.maxFetches = maxFetches;
            return this;
        }

        /**
         * Caveat context sent with every check (for example the request's time or network); a caveat
         * whose context is still incomplete answers "conditional", which the filter denies.
         * Ignored by the lookup pre-filter, which keeps only unconditional results.
         *
         * @param context the context
         * @return this builder
         */
        public Builder<H> context(Map<String, Object> context) {
            this.context = Map.copyOf(context);
            return this;
        }

        /**
         * Builds the filter.
         *
         * @return the filter
         */
        public PostFilter<H> build() {
            if (!permission.matches("[a-z][a-z0-9_]{1,62}[a-z0-9]")) {
                throw new IllegalArgumentException("invalid permission name '" + permission + "'");
            }
            return new PostFilter<>(this);
        }
    }
}
