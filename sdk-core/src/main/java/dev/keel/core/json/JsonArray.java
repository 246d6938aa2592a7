package dev.keel.core.json;

import dev.keel.core.internal.json.JsonText;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * An immutable JSON array.
 *
 * @param items the elements, in order; copied, no {@code null} (use {@link JsonNull#INSTANCE})
 */
public record JsonArray(List<JsonValue> items) implements JsonValue {
    private static final JsonArray EMPTY = new JsonArray(List.of());

    /**
     * Copies {@code items}.
     *
     * @param items the elements, in order; copied, no {@code null} (use {@link JsonNull#INSTANCE})
     */
    public JsonArray {
        items = List.copyOf(Objects.requireNonNull(items, "items"));
    }

    /**
     * The empty array.
     *
     * @return the empty array
     */
    public static JsonArray of() {
        return EMPTY;
    }

    /**
     * An array of plain Java values, each converted with {@link JsonValue#of(Object)}.
     *
     * @param items the items
     * @return an array of plain Java values, each converted with {@link JsonValue#of(Object)}
     */
    public static JsonArray of(Object... items) {
        return of(List.of(items));
    }

    /**
     * An array of plain Java values, each converted with {@link JsonValue#of(Object)}.
     *
     * @param items the items
     * @return an array of plain Java values, each converted with {@link JsonValue#of(Object)}
     */
    public static JsonArray of(Iterable<?> items) {
        List<JsonValue> out = new ArrayList<>();
        for (Object item : items) {
            out.add(JsonValue.of(item));
        }
        return new JsonArray(out);
    }

    /**
     * The element at {@code index}.
     *
     * @param index the index
     * @return the element at {@code index}
     */
    public JsonValue get(int index) {
        return items.get(index);
    }

    /**
     * Number of elements.
     *
     * @return number of elements
     */
    public int size() {
        return items.size();
    }

    /**
     * Whether there is no element.
     *
     * @return whether there is no element
     */
    public boolean isEmpty() {
        return items.isEmpty();
    }

    /**
     * A copy with {@code item} (converted with {@link JsonValue#of(Object)}) appended.
     *
     * @param item the item
     * @return a copy with {@code item} (converted with {@link JsonValue#of(Object)}) appended
     */
    public JsonArray plus(Object item) {
        List<JsonValue> copy = new ArrayList<>(items);
        copy.add(JsonValue.of(item));
        return new JsonArray(copy);
    }

    @Override
    public String toJson() {
        return JsonText.write(this);
    }

    /** The compact JSON text. */
    @Override
    public String toString() {
        return toJson();
    }
}
