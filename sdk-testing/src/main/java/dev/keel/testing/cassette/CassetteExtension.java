package dev.keel.testing.cassette;

import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Function;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * The JUnit 5 extension behind {@link Cassette @Cassette}: opens a {@link CassetteRecorder} before each
 * annotated test, resolves {@code OkHttpClient} and {@code CassetteRecorder} parameters, and closes the
 * recorder after the test (which writes the cassette when something was recorded; a secret found then
 * fails the test). State lives in JUnit's per-test store, so parallel tests are independent.
 */
public final class CassetteExtension implements BeforeEachCallback, AfterEachCallback, ParameterResolver {
    /** Configuration parameter / system property overriding every cassette's mode. */
    public static final String MODE_PROPERTY = "keel.cassette.mode";
    /** Env var overriding every cassette's mode (the property wins when both are set). */
    public static final String MODE_ENV = "KEEL_CASSETTE_MODE";
    /** Configuration parameter / system property naming the cassette directory. */
    public static final String DIR_PROPERTY = "keel.cassette.dir";
    /** The default cassette directory. */
    public static final String DEFAULT_DIR = "src/test/resources/cassettes";

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(CassetteExtension.class);

    /** Created by JUnit. */
    public CassetteExtension() {}

    @Override
    public void beforeEach(ExtensionContext context) {
        Optional<Cassette> annotation = annotation(context);
        if (annotation.isEmpty()) {
            return;
        }
        Cassette c = annotation.get();
        Path file = file(context, c);
        CassetteMode mode = mode(c.mode(), context::getConfigurationParameter, System::getenv);
        CassetteRecorder recorder = CassetteRecorder.builder(file).mode(mode).build();
        context.getStore(NAMESPACE).put(CassetteRecorder.class, recorder);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        CassetteRecorder recorder = context.getStore(NAMESPACE).remove(CassetteRecorder.class, CassetteRecorder.class);
        if (recorder != null) {
            recorder.close();
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        return (type == OkHttpClient.class || type == CassetteRecorder.class)
                && parameter.getDeclaringExecutable() instanceof Method
                && annotation(context).isPresent();
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        CassetteRecorder recorder = context.getStore(NAMESPACE).get(CassetteRecorder.class, CassetteRecorder.class);
        if (recorder == null) {
            throw new ParameterResolutionException("no cassette is open for " + context.getDisplayName()
                    + "; a recording client is available to test methods annotated with @Cassette");
        }
        return parameter.getParameter().getType() == CassetteRecorder.class ? recorder : recorder.client();
    }

    /**
     * The mode to use: {@code keel.cassette.mode} (configuration parameter or system property), else
     * {@code KEEL_CASSETTE_MODE}, else {@code declared}.
     *
     * @throws ExtensionConfigurationException when an override names no mode
     */
    static CassetteMode mode(CassetteMode declared, Function<String, Optional<String>> config,
                             Function<String, String> env) {
        Optional<String> override = config.apply(MODE_PROPERTY).filter(s -> !s.isBlank());
        String source = MODE_PROPERTY;
        if (override.isEmpty()) {
            override = Optional.ofNullable(env.apply(MODE_ENV)).filter(s -> !s.isBlank());
            source = MODE_ENV;
        }
        if (override.isEmpty()) {
            return declared;
        }
        try {
            return CassetteMode.parse(override.get());
        } catch (IllegalArgumentException e) {
            throw new ExtensionConfigurationException(source + ": " + e.getMessage());
        }
    }

    private static Optional<Cassette> annotation(ExtensionContext context) {
        Optional<Cassette> onMethod = context.getTestMethod().flatMap(m -> find(m));
        return onMethod.isPresent() ? onMethod : context.getTestClass().flatMap(CassetteExtension::find);
    }

    private static Optional<Cassette> find(AnnotatedElement element) {
        return Optional.ofNullable(element.getAnnotation(Cassette.class));
    }

    private static Path file(ExtensionContext context, Cassette c) {
        String dir = !c.directory().isEmpty() ? c.directory()
                : context.getConfigurationParameter(DIR_PROPERTY).filter(s -> !s.isBlank()).orElse(DEFAULT_DIR);
        Method method = context.getRequiredTestMethod();
        boolean onMethod = method.isAnnotationPresent(Cassette.class);
        String name;
        if (onMethod && !c.value().isEmpty()) {
            name = c.value();
        } else {
            String prefix = c.value().isEmpty() ? context.getRequiredTestClass().getSimpleName() : c.value();
            name = prefix + "/" + method.getName();
        }
        if (name.contains("..") || name.startsWith("/") || name.isBlank()) {
            throw new ExtensionConfigurationException("@Cassette name '" + name
                    + "' must be a relative path inside the cassette directory");
        }
        return Path.of(dir).resolve(name + ".yaml");
    }
}
