package dev.keel.samples.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReader;
import java.lang.module.ModuleReference;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.Member;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.lang.reflect.WildcardType;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Keel's API must not expose third-party types (a Jackson, MCP SDK, gRPC or BouncyCastle upgrade would
 * otherwise break users' code): every public and protected signature — superclass, interfaces, type
 * parameters, fields, constructors, methods, record components, thrown exceptions, nested types — of every
 * class in every package that a published module's descriptor exports (unqualified) may name only the JDK's
 * types ({@code java.*}, {@code javax.*}), Keel's own types and the allow-list below. It also checks that no published module
 * {@code requires transitive} a third-party module outside the allow-list.
 *
 * <p>This test lives in the samples module because that module depends on every published one; it reads
 * each module's descriptor from its jar (or classes directory), so a new exported package is covered
 * without touching this file.
 */
class PublicApiSignaturesTest {

    /** A third-party type that may appear in the API, where, and why. */
    record Allowed(String typePrefix, String inPackagePrefix, String why) {
        boolean permits(String typeName, String packageName) {
            return typeName.startsWith(typePrefix) && packageName.startsWith(inPackagePrefix);
        }
    }

    static final List<Allowed> ALLOWED = List.of(
            // HTTP: users pass their own configured OkHttp client (proxies, TLS, the cassette recorder) and add
            // interceptors; these are the point of dev.keel.core.http, the providers and the fetch toolset.
            new Allowed("okhttp3.OkHttpClient", "dev.keel.", "users share their configured HTTP client"),
            new Allowed("okhttp3.Interceptor", "dev.keel.", "interceptors are how users extend HTTP (cassettes, headers)"),
            // The cassette recorder is an OkHttp Interceptor: intercept(Chain) returns OkHttp's Response.
            new Allowed("okhttp3.Response", "dev.keel.testing.cassette", "Interceptor.intercept's return type"),
            // LangChain4j adapters exist to convert to and from LangChain4j's types, in their own packages only.
            new Allowed("dev.langchain4j.", "dev.keel.core.langchain4j", "the LangChain4j adapter package"),
            new Allowed("dev.langchain4j.", "dev.keel.rag.langchain4j", "the LangChain4j store/model adapter package"),
            // JUnit 5 extensions implement JUnit's extension interfaces; that is what an extension is.
            new Allowed("org.junit.jupiter.api.extension.", "dev.keel.testing.", "JUnit 5 extensions"),
            // The annotations of sdk-testing are meta-annotated with JUnit's @ExtendWith and friends.
            new Allowed("org.junit.jupiter.api.", "dev.keel.testing.", "JUnit 5 annotations"),
            // Telemetry is the bridge to the host's OpenTelemetry (an optional dependency, requires static):
            // users hand it their OpenTelemetry instance and the Context a run continues.
            new Allowed("io.opentelemetry.", "dev.keel.core.observe", "the OpenTelemetry bridge"));

    /** Third-party modules a published module may {@code requires transitive}: those whose types are allowed above. */
    static final Set<String> ALLOWED_TRANSITIVE = Set.of(
            "okhttp3",                    // OkHttpClient / Interceptor in the API
            "org.junit.jupiter.api");     // sdk-testing's extensions

    /** A class from each published module, to find the module's jar. */
    static final List<Class<?>> MODULE_ANCHORS = List.of(
            dev.keel.core.ChatModel.class,
            dev.keel.agents.Agent.class,
            dev.keel.sandbox.Sandbox.class,
            dev.keel.rag.retrieve.Retriever.class,
            dev.keel.authz.PermissionsClient.class,
            dev.keel.testing.model.ScriptedModelServer.class);

    @Test
    void noThirdPartyTypeInAnyExportedSignature() {
        List<String> leaks = new ArrayList<>();
        int scanned = 0;
        for (Class<?> anchor : MODULE_ANCHORS) {
            ModuleReference module = moduleOf(anchor);
            for (Class<?> type : exportedTypes(module)) {
                scanned++;
                leaks.addAll(leaks(type));
            }
        }
        assertThat(scanned).as("exported classes found").isGreaterThan(100);
        assertThat(leaks).as("third-party types in Keel's public API (add to ALLOWED only when the type is the point)")
                .isEmpty();
    }

    @Test
    void noPublishedModuleRequiresThirdPartyModulesTransitively() {
        List<String> problems = new ArrayList<>();
        for (Class<?> anchor : MODULE_ANCHORS) {
            ModuleDescriptor d = moduleOf(anchor).descriptor();
            for (ModuleDescriptor.Requires r : d.requires()) {
                boolean transitive = r.modifiers().contains(ModuleDescriptor.Requires.Modifier.TRANSITIVE);
                if (transitive && !r.name().startsWith("dev.keel.") && !r.name().startsWith("java.")
                        && !ALLOWED_TRANSITIVE.contains(r.name())) {
                    problems.add(d.name() + " requires transitive " + r.name());
                }
            }
        }
        assertThat(problems).isEmpty();
    }

    // The scanner must be able to fail: a fixture that leaks in each kind of position is caught in each.

    public static class Leaky<T extends com.fasterxml.jackson.databind.JsonNode> extends java.util.AbstractList<
            com.fasterxml.jackson.databind.node.ObjectNode> implements java.util.function.Supplier<List<? extends
            com.fasterxml.jackson.core.JsonParser>> {
        public com.fasterxml.jackson.databind.ObjectMapper field;
        protected Leaky(com.fasterxml.jackson.core.JsonFactory factory) {}
        public Leaky() {}
        public void reads() throws com.fasterxml.jackson.core.JsonProcessingException {}
        public com.fasterxml.jackson.databind.node.ArrayNode[] arrays() {
            return null;
        }
        public <U extends com.fasterxml.jackson.databind.node.TextNode> void generic(U u) {}
        @Override
        public com.fasterxml.jackson.databind.node.ObjectNode get(int index) {
            return null;
        }
        @Override
        public int size() {
            return 0;
        }
        @Override
        public List<? extends com.fasterxml.jackson.core.JsonParser> get() {
            return null;
        }
        private com.fasterxml.jackson.databind.node.BinaryNode hidden() {
            return null;
        }
        public record Nested(com.fasterxml.jackson.databind.node.NullNode component) {}
    }

    @Test
    void theScannerFindsALeakInEveryPosition() {
        String all = String.join("\n", leaks(Leaky.class));
        assertThat(all).contains("type parameter T", "superclass", "interface", "field field", "constructor",
                "throws", "method arrays", "method generic", "component", "Nested")
                .contains("JsonNode", "ObjectNode", "JsonParser", "ObjectMapper", "JsonFactory",
                        "JsonProcessingException", "ArrayNode", "TextNode", "NullNode")
                .doesNotContain("BinaryNode");
    }

    private static ModuleReference moduleOf(Class<?> anchor) {
        try {
            Path location = Path.of(anchor.getProtectionDomain().getCodeSource().getLocation().toURI());
            Set<ModuleReference> found = ModuleFinder.of(location).findAll();
            assertThat(found).as("module descriptor at " + location).hasSize(1);
            return found.iterator().next();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<Class<?>> exportedTypes(ModuleReference module) {
        Set<String> exported = module.descriptor().exports().stream().filter(e -> !e.isQualified())
                .map(ModuleDescriptor.Exports::source).collect(Collectors.toSet());
        List<Class<?>> types = new ArrayList<>();
        try (ModuleReader reader = module.open()) {
            for (String resource : reader.list().sorted().toList()) {
                if (!resource.endsWith(".class") || resource.contains("$") || resource.endsWith("module-info.class")
                        || resource.endsWith("package-info.class")) {
                    continue;
                }
                String className = resource.substring(0, resource.length() - ".class".length()).replace('/', '.');
                String pkg = className.substring(0, className.lastIndexOf('.'));
                if (exported.contains(pkg)) {
                    Class<?> c = Class.forName(className, false, PublicApiSignaturesTest.class.getClassLoader());
                    if (Modifier.isPublic(c.getModifiers())) {
                        types.add(c);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException(e);
        }
        return types;
    }

    static List<String> leaks(Class<?> c) {
        List<String> out = new ArrayList<>();
        String pkg = c.getPackageName();
        String owner = c.getName();
        for (TypeVariable<?> v : c.getTypeParameters()) {
            check(out, owner + " type parameter " + v.getName(), v.getBounds(), pkg);
        }
        if (c.getGenericSuperclass() != null) {
            check(out, owner + " superclass", new Type[] {c.getGenericSuperclass()}, pkg);
        }
        check(out, owner + " interface", c.getGenericInterfaces(), pkg);
        if (c.isRecord()) {
            for (var rc : c.getRecordComponents()) {
                check(out, owner + " component " + rc.getName(), new Type[] {rc.getGenericType()}, pkg);
            }
        }
        for (Field f : c.getDeclaredFields()) {
            if (visible(f)) {
                check(out, owner + " field " + f.getName(), new Type[] {f.getGenericType()}, pkg);
            }
        }
        for (Constructor<?> k : c.getDeclaredConstructors()) {
            if (visible(k)) {
                check(out, owner + " constructor", k.getGenericParameterTypes(), pkg);
                check(out, owner + " constructor throws", k.getGenericExceptionTypes(), pkg);
            }
        }
        for (Method m : c.getDeclaredMethods()) {
            if (visible(m) && !m.isSynthetic() && !m.isBridge()) {
                String where = owner + " method " + m.getName();
                for (TypeVariable<?> v : m.getTypeParameters()) {
                    check(out, where + " type parameter " + v.getName(), v.getBounds(), pkg);
                }
                check(out, where + " returns", new Type[] {m.getGenericReturnType()}, pkg);
                check(out, where + " parameter", m.getGenericParameterTypes(), pkg);
                check(out, where + " throws", m.getGenericExceptionTypes(), pkg);
            }
        }
        for (Class<?> nested : c.getDeclaredClasses()) {
            int mod = nested.getModifiers();
            if (Modifier.isPublic(mod) || Modifier.isProtected(mod)) {
                out.addAll(leaks(nested));
            }
        }
        return out;
    }

    private static boolean visible(Member m) {
        int mod = m.getModifiers();
        return Modifier.isPublic(mod) || Modifier.isProtected(mod);
    }

    private static void check(List<String> out, String where, Type[] types, String pkg) {
        Set<String> names = new TreeSet<>();
        for (Type t : types) {
            collect(t, names, new HashSet<>());
        }
        for (String name : names) {
            // java.* and javax.* are the JDK's own (javax.net.ssl.SSLContext for TLS settings).
            boolean ok = name.startsWith("java.") || name.startsWith("javax.") || name.startsWith("dev.keel.")
                    || ALLOWED.stream().anyMatch(a -> a.permits(name, pkg));
            if (!ok) {
                out.add(where + ": " + name);
            }
        }
    }

    private static void collect(Type t, Set<String> names, Set<Type> seen) {
        if (t == null || !seen.add(t)) {
            return;
        }
        if (t instanceof Class<?> c) {
            while (c.isArray()) {
                c = c.getComponentType();
            }
            if (!c.isPrimitive()) {
                names.add(c.getName());
            }
        } else if (t instanceof ParameterizedType p) {
            collect(p.getRawType(), names, seen);
            collect(p.getOwnerType(), names, seen);
            for (Type a : p.getActualTypeArguments()) {
                collect(a, names, seen);
            }
        } else if (t instanceof WildcardType w) {
            for (Type b : w.getUpperBounds()) {
                collect(b, names, seen);
            }
            for (Type b : w.getLowerBounds()) {
                collect(b, names, seen);
            }
        } else if (t instanceof TypeVariable<?> v) {
            for (Type b : v.getBounds()) {
                collect(b, names, seen);
            }
        } else if (t instanceof GenericArrayType g) {
            collect(g.getGenericComponentType(), names, seen);
        }
    }
}
