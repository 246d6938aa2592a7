package dev.keel.checks.docs;

import java.io.IOException;
import java.io.StringWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

/**
 * Compiles snippets with the JDK's compiler against this module's test class path (every published
 * module and the optional libraries the READMEs use) and reports errors at their README line.
 */
final class SnippetCompiler {
    private final Path root;

    SnippetCompiler(Path root) {
        this.root = root;
    }

    /** The standard imports: every package the published modules export (from their API listings), and more. */
    List<String> standardImports() throws IOException {
        TreeSet<String> packages = new TreeSet<>();
        try (Stream<Path> listings = Files.list(root)) {
            for (Path module : listings.filter(p -> p.getFileName().toString().startsWith("sdk-")).toList()) {
                Path api = module.resolve("api").resolve(module.getFileName() + ".api");
                if (Files.exists(api)) {
                    Files.readAllLines(api).stream().filter(l -> l.startsWith("exports "))
                            .map(l -> l.substring("exports ".length()) + ".*").forEach(packages::add);
                }
            }
        }
        List<String> imports = new ArrayList<>(List.of("java.io.*", "java.net.*", "java.nio.file.*", "java.time.*",
                "java.util.*", "java.util.concurrent.*", "java.util.function.*", "okhttp3.OkHttpClient",
                "okhttp3.Interceptor", "org.junit.jupiter.api.*", "static org.assertj.core.api.Assertions.*"));
        imports.addAll(packages);
        return imports;
    }

    /** The errors of compiling {@code snippets}, each as {@code README.md:line: message}; empty when all compile. */
    List<String> errors(List<Snippets.Snippet> snippets, Path classesDir) throws IOException {
        List<String> imports = standardImports();
        Map<String, Snippets.Snippet> byClass = new HashMap<>();
        Map<String, Snippets.Unit> units = new HashMap<>();
        List<JavaFileObject> sources = new ArrayList<>();
        for (Snippets.Snippet s : snippets) {
            Snippets.Unit unit = s.unit(imports);
            byClass.put(unit.className(), s);
            units.put(unit.className(), unit);
            sources.add(new SimpleJavaFileObject(URI.create("string:///snippets/" + unit.className() + ".java"),
                    JavaFileObject.Kind.SOURCE) {
                @Override
                public CharSequence getCharContent(boolean ignoreEncodingErrors) {
                    return unit.source();
                }
            });
        }
        if (sources.isEmpty()) {
            return List.of();
        }
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        Files.createDirectories(classesDir);
        List<String> options = List.of("-proc:none", "-Xlint:none", "--release", "17",
                "-classpath", System.getProperty("java.class.path"), "-d", classesDir.toString());
        StringWriter out = new StringWriter();
        try (StandardJavaFileManager files = javac.getStandardFileManager(diagnostics, Locale.ROOT, StandardCharsets.UTF_8)) {
            javac.getTask(out, files, diagnostics, options, null, sources).call();
        }
        List<String> errors = new ArrayList<>();
        for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
            if (d.getKind() != Diagnostic.Kind.ERROR) {
                continue;
            }
            String name = d.getSource() == null ? "" : Path.of(d.getSource().toUri().getPath()).getFileName().toString()
                    .replace(".java", "");
            Snippets.Snippet s = byClass.get(name);
            if (s == null) {
                errors.add("(generated code): " + d.getMessage(Locale.ROOT));
                continue;
            }
            long line = d.getLineNumber() - units.get(name).offset() + s.firstLine() - 1;
            String where = root.relativize(s.markdown()).toString();
            errors.add(line >= s.firstLine()
                    ? where + ":" + line + ": " + d.getMessage(Locale.ROOT)
                    : where + ":" + (s.firstLine() - 1) + " (the wrapper of the snippet starting here): " + d.getMessage(Locale.ROOT));
        }
        return errors;
    }
}
