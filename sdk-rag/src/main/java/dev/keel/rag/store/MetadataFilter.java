package dev.keel.rag.store;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A condition on an entry's metadata. Closed hierarchy so adapters can translate it into an external
 * store's own filter language.
 */
public sealed interface MetadataFilter
        permits MetadataFilter.All, MetadataFilter.Equals, MetadataFilter.In, MetadataFilter.And,
                MetadataFilter.Or, MetadataFilter.Not {

    /** True when {@code metadata} satisfies this filter. */
    boolean test(Map<String, String> metadata);

    /** Matches everything. */
    static MetadataFilter all() {
        return All.INSTANCE;
    }

    /** {@code metadata[key] == value}. */
    static MetadataFilter eq(String key, String value) {
        return new Equals(key, value);
    }

    /** {@code metadata[key]} is one of {@code values}. */
    static MetadataFilter in(String key, Set<String> values) {
        return new In(key, values);
    }

    /** Both conditions. */
    default MetadataFilter and(MetadataFilter other) {
        return new And(List.of(this, other));
    }

    /** Either condition. */
    default MetadataFilter or(MetadataFilter other) {
        return new Or(List.of(this, other));
    }

    /** The opposite condition. */
    default MetadataFilter negate() {
        return new Not(this);
    }

    /** Matches every entry. */
    enum All implements MetadataFilter {
        INSTANCE;

        @Override
        public boolean test(Map<String, String> metadata) {
            return true;
        }
    }

    /** The value under {@code key} equals {@code value}. */
    record Equals(String key, String value) implements MetadataFilter {
        public Equals {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(value, "value");
        }

        @Override
        public boolean test(Map<String, String> metadata) {
            return value.equals(metadata.get(key));
        }
    }

    /** The value under {@code key} is one of {@code values}. */
    record In(String key, Set<String> values) implements MetadataFilter {
        public In {
            Objects.requireNonNull(key, "key");
            values = Set.copyOf(values);
        }

        @Override
        public boolean test(Map<String, String> metadata) {
            String v = metadata.get(key);
            return v != null && values.contains(v);
        }
    }

    /** All of {@code filters}. */
    record And(List<MetadataFilter> filters) implements MetadataFilter {
        public And {
            filters = List.copyOf(filters);
        }

        @Override
        public boolean test(Map<String, String> metadata) {
            for (MetadataFilter f : filters) {
                if (!f.test(metadata)) {
                    return false;
                }
            }
            return true;
        }
    }

    /** Any of {@code filters}. */
    record Or(List<MetadataFilter> filters) implements MetadataFilter {
        public Or {
            filters = List.copyOf(filters);
        }

        @Override
        public boolean test(Map<String, String> metadata) {
            for (MetadataFilter f : filters) {
                if (f.test(metadata)) {
                    return true;
                }
            }
            return false;
        }
    }

    /** Not {@code filter}. */
    record Not(MetadataFilter filter) implements MetadataFilter {
        public Not {
            Objects.requireNonNull(filter, "filter");
        }

        @Override
        public boolean test(Map<String, String> metadata) {
            return !filter.test(metadata);
        }
    }
}
