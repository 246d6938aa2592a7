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

    /**
     * True when {@code metadata} satisfies this filter.
     *
     * @param metadata the entry's metadata
     * @return true when {@code metadata} satisfies this filter
     */
    boolean test(Map<String, String> metadata);

    /**
     * Matches everything.
     *
     * @return the filter
     */
    static MetadataFilter all() {
        return All.INSTANCE;
    }

    /**
     * {@code metadata[key] == value}.
     *
     * @param key the metadata key
     * @param value the value required
     * @return the filter
     */
    static MetadataFilter eq(String key, String value) {
        return new Equals(key, value);
    }

    /**
     * {@code metadata[key]} is one of {@code values}.
     *
     * @param key the metadata key
     * @param values the values allowed
     * @return the filter
     */
    static MetadataFilter in(String key, Set<String> values) {
        return new In(key, values);
    }

    /**
     * Both conditions.
     *
     * @param other the other condition
     * @return the combined filter
     */
    default MetadataFilter and(MetadataFilter other) {
        return new And(List.of(this, other));
    }

    /**
     * Either condition.
     *
     * @param other the other condition
     * @return the combined filter
     */
    default MetadataFilter or(MetadataFilter other) {
        return new Or(List.of(this, other));
    }

    /**
     * The opposite condition.
     *
     * @return the opposite condition
     */
    default MetadataFilter negate() {
        return new Not(this);
    }

    /** Matches every entry. */
    enum All implements MetadataFilter {
        /** The only instance. */
        INSTANCE;

        @Override
        public boolean test(Map<String, String> metadata) {
            return true;
        }
    }

    /**
     * The value under {@code key} equals {@code value}.
     *
     * @param key the metadata key
     * @param value the value required
     */
    record Equals(String key, String value) implements MetadataFilter {
        /**
         * Creates the filter.
         *
         * @param key the metadata key
         * @param value the value required
         */
        public Equals {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(value, "value");
        }

        @Override
        public boolean test(Map<String, String> metadata) {
            return value.equals(metadata.get(key));
        }
    }

    /**
     * The value under {@code key} is one of {@code values}.
     *
     * @param key the metadata key
     * @param values the values allowed
     */
    record In(String key, Set<String> values) implements MetadataFilter {
        /**
         * Creates the filter, copying the set.
         *
         * @param key the metadata key
         * @param values the values allowed
         */
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

    /**
     * All of {@code filters}.
     *
     * @param filters the conditions that must all hold
     */
    record And(List<MetadataFilter> filters) implements MetadataFilter {
        /**
         * Creates the filter, copying the list.
         *
         * @param filters the conditions that must all hold
         */
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

    /**
     * Any of {@code filters}.
     *
     * @param filters the alternatives
     */
    record Or(List<MetadataFilter> filters) implements MetadataFilter {
        /**
         * Creates the filter, copying the list.
         *
         * @param filters the alternatives
         */
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

    /**
     * Not {@code filter}.
     *
     * @param filter the condition negated
     */
    record Not(MetadataFilter filter) implements MetadataFilter {
        /**
         * Creates the filter.
         *
         * @param filter the condition negated
         */
        public Not {
            Objects.requireNonNull(filter, "filter");
        }

        @Override
        public boolean test(Map<String, String> metadata) {
            return !filter.test(metadata);
        }
    }
}
