package dev.keel.core.internal.json;

import dev.keel.core.json.JsonArray;
import dev.keel.core.json.JsonBoolean;
import dev.keel.core.json.JsonNull;
import dev.keel.core.json.JsonNumber;
import dev.keel.core.json.JsonObject;
import dev.keel.core.json.JsonParseException;
import dev.keel.core.json.JsonString;
import dev.keel.core.json.JsonValue;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.lang.reflect.WildcardType;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Binds {@link JsonValue}s to Java types without a JSON library in the caller's module graph: records
 * (components by name, through the canonical constructor), simple classes (a public no-argument constructor
 * and public setters or fields), enums (by constant name, case-insensitive), strings, numbers, booleans,
 * {@code List}/{@code Set}/{@code Collection}, {@code Map<String, …>}, {@code Optional} and
 * {@code JsonValue} itself. Members the type does not declare are ignored. Problems are reported with the
 * path of the value ({@code query.limit}, {@code items[2]}). Stateless; thread-safe.
 *
 * <p>The bound type must be accessible to {@code dev.keel.core}: public, in a package that is exported or
 * opened to it (any package of the class path is).
 */
public final class JsonBinder {
    private JsonBinder() {}

    /** A value that does not fit the type; {@link #path()} says which value. */
    public static final class BindingException extends JsonParseException {
        private static final long serialVersionUID = 1L;
        private final String path;
        private final String problem;

        BindingException(String path, String problem, Throwable cause) {
            super((path.isEmpty() ? "" : "'" + path + "' ") + problem, cause);
            this.path = path;
            this.problem = problem;
        }

        /** Where the problem is ({@code a.b[2]}); empty for the top-level value. */
        public String path() {
            return path;
        }

        /** What is wrong, without the path. */
        public String problem() {
            return problem;
        }
    }

    /** Binds {@code value} to {@code type}. */
    public static <T> T bind(JsonValue value, Class<T> type) {
        @SuppressWarnings("unchecked")
        T t = (T) bind(value, type, "");
        return t;
    }

    /** Binds {@code value} to a (possibly generic) type; {@code path} prefixes problem reports. */
    public static Object bind(JsonValue value, Type type, String path) {
        Class<?> raw = raw(type);
        if (value == null || value instanceof JsonNull) {
            if (raw == Optional.class) {
                return Optional.empty();
            }
            if (raw.isPrimitive()) {
                throw new BindingException(path, "is required (" + describe(raw) + ")", null);
            }
            return raw == JsonValue.class || raw == JsonNull.class ? JsonNull.INSTANCE : null;
        }
        if (JsonValue.class.isAssignableFrom(raw)) {
            if (!raw.isInstance(value)) {
                throw mismatch(path, raw, value);
            }
            return value;
        }
        if (raw == Optional.class) {
            return Optional.ofNullable(bind(value, argument(type, 0), path));
        }
        if (raw == String.class) {
            if (value instanceof JsonString s) {
                return s.value();
            }
            throw mismatch(path, raw, value);
        }
        if (raw == boolean.class || raw == Boolean.class) {
            if (value instanceof JsonBoolean b) {
                return b.value();
            }
            throw mismatch(path, raw, value);
        }
        if (raw == char.class || raw == Character.class) {
            if (value instanceof JsonString s && s.value().length() == 1) {
                return s.value().charAt(0);
            }
            throw new BindingException(path, "must be a single character, got " + show(value), null);
        }
        if (isNumber(raw)) {
            if (!(value instanceof JsonNumber n)) {
                throw mismatch(path, raw, value);
            }
            return number(n.value(), raw, path);
        }
        if (raw.isEnum()) {
            if (value instanceof JsonString s) {
                for (Object constant : raw.getEnumConstants()) {
                    if (((Enum<?>) constant).name().equalsIgnoreCase(s.value())) {
                        return constant;
                    }
                }
                List<String> names = new ArrayList<>();
                for (Object constant : raw.getEnumConstants()) {
                    names.add(((Enum<?>) constant).name().toLowerCase(Locale.ROOT));
                }
                throw new BindingException(path, "must be one of " + names + ", got " + show(value), null);
            }
            throw mismatch(path, raw, value);
        }
        if (raw == List.class || raw == Collection.class || raw == Iterable.class || raw == Set.class) {
            if (!(value instanceof JsonArray a)) {
                throw mismatch(path, raw, value);
            }
            Collection<Object> out = raw == Set.class ? new LinkedHashSet<>() : new ArrayList<>();
            Type element = argument(type, 0);
            for (int i = 0; i < a.size(); i++) {
                out.add(bind(a.get(i), element, path + "[" + i + "]"));
            }
            return raw == Set.class ? java.util.Collections.unmodifiableSet((Set<Object>) out)
                    : java.util.Collections.unmodifiableList((List<Object>) out);
        }
        if (raw == Map.class) {
            if (!(value instanceof JsonObject o)) {
                throw mismatch(path, raw, value);
            }
            if (argument(type, 0) != String.class && argument(type, 0) != Object.class) {
                throw new BindingException(path, "maps bound from JSON need String keys", null);
            }
            Map<String, Object> out = new LinkedHashMap<>();
            Type element = argument(type, 1);
            o.members().forEach((k, v) -> out.put(k, bind(v, element, join(path, k))));
            return java.util.Collections.unmodifiableMap(out);
        }
        if (raw == Object.class) {
            return plain(value);
        }
        if (raw.isArray() || raw.isPrimitive() || raw.isInterface() || Modifier.isAbstract(raw.getModifiers())) {
            throw new BindingException(path, "cannot be bound to " + raw.getTypeName()
                    + " (use a record, a class with a public no-argument constructor, a List, a Map or JsonValue)", null);
        }
        if (!(value instanceof JsonObject o)) {
            throw mismatch(path, raw, value);
        }
        return raw.isRecord() ? record(o, raw, path) : bean(o, raw, path);
    }

    private static Object record(JsonObject o, Class<?> raw, String path) {
        RecordComponent[] components = raw.getRecordComponents();
        Class<?>[] types = new Class<?>[components.length];
        Object[] args = new Object[components.length];
        for (int i = 0; i < components.length; i++) {
            RecordComponent c = components[i];
            types[i] = c.getType();
            args[i] = bind(o.members().get(c.getName()), c.getGenericType(), join(path, c.getName()));
        }
        try {
            Constructor<?> ctor = raw.getDeclaredConstructor(types);
            return ctor.newInstance(args);
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            throw new BindingException(path, "was rejected by " + raw.getSimpleName() + ": " + cause.getMessage(), cause);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw inaccessible(path, raw, e);
        }
    }

    private static Object bean(JsonObject o, Class<?> raw, String path) {
        Object target;
        try {
            target = raw.getConstructor().newInstance();
        } catch (NoSuchMethodException e) {
            throw new BindingException(path, "cannot be bound to " + raw.getName()
                    + ": it is neither a record nor has a public no-argument constructor", e);
        } catch (InvocationTargetException e) {
            throw new BindingException(path, "cannot create " + raw.getName() + ": " + e.getCause(), e.getCause());
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw inaccessible(path, raw, e);
        }
        for (Map.Entry<String, JsonValue> e : o.members().entrySet()) {
            String name = e.getKey();
            String member = join(path, name);
            Method setter = setter(raw, name);
            try {
                if (setter != null) {
                    setter.invoke(target, bind(e.getValue(), setter.getGenericParameterTypes()[0], member));
                    continue;
                }
                Field field = field(raw, name);
                if (field != null) {
                    field.set(target, bind(e.getValue(), field.getGenericType(), member));
                }
            } catch (InvocationTargetException ex) {
                throw new BindingException(member, "was rejected: " + ex.getCause().getMessage(), ex.getCause());
            } catch (IllegalAccessException | RuntimeException ex) {
                if (ex instanceof BindingException b) {
                    throw b;
                }
                throw inaccessible(member, raw, ex);
            }
        }
        return target;
    }

    private static Method setter(Class<?> raw, String name) {
        String wanted = "set" + Character.toUpperCase(name.charAt(0)) + name.substring(1);
        for (Method m : raw.getMethods()) {
            if (m.getName().equals(wanted) && m.getParameterCount() == 1 && !Modifier.isStatic(m.getModifiers())) {
                return m;
            }
        }
        return null;
    }

    private static Field field(Class<?> raw, String name) {
        try {
            Field f = raw.getField(name);
            int mod = f.getModifiers();
            return Modifier.isStatic(mod) || Modifier.isFinal(mod) ? null : f;
        } catch (NoSuchFieldException e) {
            return null;
        }
    }

    private static BindingException inaccessible(String path, Class<?> raw, Exception e) {
        return new BindingException(path, "cannot be bound to " + raw.getName() + " (" + e
                + "); the type must be public and its package exported or opened to module dev.keel.core", e);
    }

    private static boolean isNumber(Class<?> raw) {
        return raw == int.class || raw == Integer.class || raw == long.class || raw == Long.class
                || raw == double.class || raw == Double.class || raw == float.class || raw == Float.class
                || raw == short.class || raw == Short.class || raw == byte.class || raw == Byte.class
                || raw == BigDecimal.class || raw == BigInteger.class || raw == Number.class;
    }

    private static Object number(BigDecimal d, Class<?> raw, String path) {
        try {
            if (raw == int.class || raw == Integer.class) {
                return d.intValueExact();
            } else if (raw == long.class || raw == Long.class) {
                return d.longValueExact();
            } else if (raw == short.class || raw == Short.class) {
                return d.shortValueExact();
            } else if (raw == byte.class || raw == Byte.class) {
                return d.byteValueExact();
            } else if (raw == BigInteger.class) {
                return d.toBigIntegerExact();
            } else if (raw == double.class || raw == Double.class) {
                return d.doubleValue();
            } else if (raw == float.class || raw == Float.class) {
                return d.floatValue();
            }
            return d;
        } catch (ArithmeticException e) {
            throw new BindingException(path, "must be " + describe(raw) + " in range, got " + d.toString(), e);
        }
    }

    /** A plain Java view: Map, List, String, BigDecimal, Boolean or null. */
    private static Object plain(JsonValue value) {
        if (value instanceof JsonObject o) {
            Map<String, Object> out = new LinkedHashMap<>();
            o.members().forEach((k, v) -> out.put(k, plain(v)));
            return java.util.Collections.unmodifiableMap(out);
        } else if (value instanceof JsonArray a) {
            List<Object> out = new ArrayList<>();
            a.items().forEach(v -> out.add(plain(v)));
            return java.util.Collections.unmodifiableList(out);
        } else if (value instanceof JsonString s) {
            return s.value();
        } else if (value instanceof JsonNumber n) {
            return n.value();
        } else if (value instanceof JsonBoolean b) {
            return b.value();
        }
        return null;
    }

    private static BindingException mismatch(String path, Class<?> raw, JsonValue value) {
        return new BindingException(path, "must be " + describe(raw) + ", got " + show(value), null);
    }

    /** The JSON kind a Java type expects, as a model would understand it. */
    public static String describe(Class<?> raw) {
        if (raw == String.class || raw.isEnum() || raw == char.class || raw == Character.class) {
            return "a string";
        } else if (raw == boolean.class || raw == Boolean.class) {
            return "a boolean";
        } else if (raw == int.class || raw == Integer.class || raw == long.class || raw == Long.class
                || raw == short.class || raw == Short.class || raw == byte.class || raw == Byte.class
                || raw == BigInteger.class) {
            return "an integer";
        } else if (isNumber(raw)) {
            return "a number";
        } else if (raw == List.class || raw == Set.class || raw == Collection.class || raw == Iterable.class
                || raw == JsonArray.class) {
            return "an array";
        } else if (raw == JsonString.class) {
            return "a string";
        } else if (raw == JsonNumber.class) {
            return "a number";
        } else if (raw == JsonBoolean.class) {
            return "a boolean";
        }
        return "an object";
    }

    /** A short description of a value for messages: its type and, for scalars, the value. */
    public static String show(JsonValue value) {
        String text = value.toJson();
        if (value instanceof JsonObject || value instanceof JsonArray) {
            return value.typeName();
        }
        return value.typeName() + " " + (text.length() > 40 ? text.substring(0, 40) + "…" : text);
    }

    private static String join(String path, String name) {
        return path.isEmpty() ? name : path + "." + name;
    }

    private static Class<?> raw(Type type) {
        if (type instanceof Class<?> c) {
            return c;
        } else if (type instanceof ParameterizedType p) {
            return (Class<?>) p.getRawType();
        } else if (type instanceof WildcardType w) {
            return raw(w.getUpperBounds()[0]);
        }
        return Object.class;
    }

    private static Type argument(Type type, int index) {
        if (type instanceof ParameterizedType p && p.getActualTypeArguments().length > index) {
            Type t = p.getActualTypeArguments()[index];
            return t instanceof WildcardType w ? w.getUpperBounds()[0] : t;
        }
        return Object.class;
    }
}
