import java.io.IOException;
import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Lists a module's public API — every public and protected type and member of the packages its
 * module-info exports without qualification — and compares the listing with the checked-in one, so
 * that any API change shows in review as a change of {@code api/<module>.api}.
 *
 * <pre>
 * java ApiListing.java &lt;classes dir&gt; &lt;class path&gt; &lt;listing file&gt; &lt;update: true|false&gt;
 * </pre>
 *
 * <p>Run by the build (process-classes) in every published module. With {@code update=true} it writes
 * the listing; otherwise it fails with the lines that differ. The output is sorted and independent of
 * the JDK that runs it, member order in the source and compiler details (synthetic and bridge members
 * are left out). Classes are loaded without initialisation.
 */
public final class ApiListing {
    private static final int MEMBER_MODIFIERS = Modifier.PUBLIC | Modifier.PROTECTED | Modifier.STATIC
            | Modifier.FINAL | Modifier.ABSTRACT | Modifier.SYNCHRONIZED | Modifier.NATIVE | Modifier.TRANSIENT
            | Modifier.VOLATILE;

    public static void main(String[] args) throws Exception {
        if (args.length != 4) {
            throw new IllegalArgumentException("usage: ApiListing <classes dir> <class path> <listing file> <update>");
        }
        Path classes = Path.of(args[0]);
        Path listing = Path.of(args[2]);
        boolean update = Boolean.parseBoolean(args[3]);
        List<String> lines = list(classes, args[1]);
        String moduleName = listing.getFileName().toString();
        if (update) {
            Files.createDirectories(listing.getParent());
            Files.write(listing, lines, StandardCharsets.UTF_8);
            System.out.println("api: wrote " + listing + " (" + lines.size() + " lines)");
            return;
        }
        if (!Files.exists(listing)) {
            fail(moduleName, "there is no API listing " + listing + " yet", List.of());
        }
        List<String> expected = Files.readAllLines(listing, StandardCharsets.UTF_8);
        if (!expected.equals(lines)) {
            fail(moduleName, "the public API differs from " + listing, diff(expected, lines));
        }
        System.out.println("api: " + moduleName + " matches the checked-in listing (" + lines.size() + " lines)");
    }

    private static void fail(String listingName, String problem, List<String> diff) {
        StringBuilder sb = new StringBuilder("api: ").append(problem).append('\n');
        diff.forEach(d -> sb.append("  ").append(d).append('\n'));
        sb.append("If the change is intended, regenerate the listing and commit it:\n")
                .append("  ./mvnw -pl <module> -am process-classes -Dkeel.api.update\n")
                .append("(").append(listingName).append(": '-' lines are in the checked-in listing only, '+' lines in the code only)");
        System.err.println(sb);
        System.exit(1);
    }

    /** Lines only in one of the two listings, each under the type (or module line) it belongs to. */
    static List<String> diff(List<String> expected, List<String> actual) {
        Set<String> in = Set.copyOf(qualified(actual));
        Set<String> was = Set.copyOf(qualified(expected));
        TreeMap<String, List<String>> byType = new TreeMap<>();
        qualified(expected).stream().filter(l -> !in.contains(l)).forEach(l -> add(byType, l, "- "));
        qualified(actual).stream().filter(l -> !was.contains(l)).forEach(l -> add(byType, l, "+ "));
        List<String> out = new ArrayList<>();
        byType.forEach((type, changes) -> {
            out.add(type.isEmpty() ? "(module)" : type);
            changes.forEach(c -> out.add("  " + c));
        });
        if (out.isEmpty()) {
            out.add("(the same lines in another order or with duplicates)");
        }
        return out;
    }

    private static void add(TreeMap<String, List<String>> byType, String qualifiedLine, String sign) {
        int tab = qualifiedLine.indexOf('\t');
        byType.computeIfAbsent(qualifiedLine.substring(0, tab), k -> new ArrayList<>())
                .add(sign + qualifiedLine.substring(tab + 1).strip());
    }

    /** Each non-blank line prefixed with the type header it belongs to ("" for module lines) and a tab. */
    private static List<String> qualified(List<String> listing) {
        List<String> out = new ArrayList<>();
        String type = "";
        for (String line : listing) {
            if (line.isBlank()) {
                continue;
            }
            if (!line.startsWith(" ")) {
                type = line.startsWith("module ") || line.startsWith("exports ") ? "" : typeOf(line);
            }
            out.add(type + "\t" + line);
        }
        return out;
    }

    /** The type's name in a header line: the word after the kind. */
    private static String typeOf(String header) {
        List<String> words = Arrays.asList(header.split(" "));
        for (String kind : List.of("class", "interface", "enum", "record", "@interface")) {
            int i = words.indexOf(kind);
            if (i >= 0 && i + 1 < words.size()) {
                String name = words.get(i + 1);
                int generic = name.indexOf('<');
                return generic < 0 ? name : name.substring(0, generic);
            }
        }
        return header;
    }

    static List<String> list(Path classes, String classPath) throws IOException, ClassNotFoundException {
        ModuleDescriptor module;
        try (InputStream in = Files.newInputStream(classes.resolve("module-info.class"))) {
            module = ModuleDescriptor.read(in);
        }
        Set<String> exported = module.exports().stream().filter(e -> !e.isQualified())
                .map(ModuleDescriptor.Exports::source).collect(Collectors.toCollection(TreeSet::new));
        List<URL> urls = new ArrayList<>();
        for (String entry : classPath.split(java.io.File.pathSeparator)) {
            if (!entry.isBlank()) {
                urls.add(Path.of(entry).toUri().toURL());
            }
        }
        urls.add(0, classes.toUri().toURL());
        List<String> lines = new ArrayList<>();
        lines.add("module " + module.name());
        try (URLClassLoader loader = new URLClassLoader(urls.toArray(URL[]::new), ApiListing.class.getClassLoader())) {
            TreeSet<String> typeNames = new TreeSet<>();
            for (String pkg : exported) {
                lines.add("exports " + pkg);
                Path dir = classes.resolve(pkg.replace('.', '/'));
                try (Stream<Path> files = Files.list(dir)) {
                    files.map(f -> f.getFileName().toString())
                            .filter(n -> n.endsWith(".class") && !n.equals("package-info.class"))
                            .forEach(n -> typeNames.add(pkg + "." + n.substring(0, n.length() - ".class".length())));
                }
            }
            for (String name : typeNames) {
                Class<?> type = Class.forName(name, false, loader);
                if (isApi(type)) {
                    lines.addAll(describe(type));
                }
            }
        }
        return lines;
    }

    /** Public or protected, and so is every enclosing type; not anonymous, local or synthetic. */
    private static boolean isApi(Class<?> type) {
        for (Class<?> t = type; t != null; t = t.getDeclaringClass()) {
            if (t.isAnonymousClass() || t.isLocalClass() || t.isSynthetic()
                    || (t.getModifiers() & (Modifier.PUBLIC | Modifier.PROTECTED)) == 0) {
                return false;
            }
        }
        return true;
    }

    private static List<String> describe(Class<?> type) {
        List<String> lines = new ArrayList<>();
        lines.add("");
        lines.add(header(type));
        // fields, then constructors, then methods; each group by name, then by the whole line
        TreeMap<String, String> members = new TreeMap<>();
        for (Field f : type.getDeclaredFields()) {
            if (visible(f.getModifiers()) && !f.isSynthetic()) {
                String line = modifiers(f.getModifiers()) + typeName(f.getGenericType()) + " " + f.getName()
                        + (f.isEnumConstant() ? " (enum constant)" : "");
                members.put("0 " + f.getName() + " " + line, line);
            }
        }
        for (Constructor<?> c : type.getDeclaredConstructors()) {
            if (visible(c.getModifiers()) && !c.isSynthetic()) {
                String line = executable(c, null, type.getSimpleName());
                members.put("1 " + line, line);
            }
        }
        for (Method m : type.getDeclaredMethods()) {
            if (visible(m.getModifiers()) && !m.isSynthetic() && !m.isBridge()) {
                String line = executable(m, m.getGenericReturnType(), m.getName());
                members.put("2 " + m.getName() + " " + line, line);
            }
        }
        members.values().forEach(m -> lines.add("  " + m));
        return lines;
    }

    private static String header(Class<?> type) {
        StringBuilder sb = new StringBuilder();
        int mods = type.getModifiers() & (Modifier.PUBLIC | Modifier.PROTECTED | Modifier.STATIC);
        String kind;
        if (type.isAnnotation()) {
            kind = "@interface";
        } else if (type.isInterface()) {
            kind = "interface";
        } else if (type.isEnum()) {
            kind = "enum";
        } else if (type.isRecord()) {
            kind = "record";
        } else {
            kind = "class";
            mods |= type.getModifiers() & (Modifier.ABSTRACT | Modifier.FINAL);
        }
        sb.append(Modifier.toString(mods)).append(mods == 0 ? "" : " ");
        if (type.isSealed()) {
            sb.append("sealed ");
        }
        sb.append(kind).append(' ').append(typeName(type)).append(typeParameters(type.getTypeParameters()));
        Type superclass = type.getGenericSuperclass();
        if (superclass != null && superclass != Object.class && !type.isEnum() && !type.isRecord()) {
            sb.append(" extends ").append(typeName(superclass));
        }
        Type[] interfaces = type.getGenericInterfaces();
        if (interfaces.length > 0 && !type.isAnnotation()) {
            sb.append(type.isInterface() ? " extends " : " implements ")
                    .append(Arrays.stream(interfaces).map(ApiListing::typeName).sorted().collect(Collectors.joining(", ")));
        }
        if (type.isSealed()) {
            sb.append(" permits ").append(Arrays.stream(type.getPermittedSubclasses()).map(ApiListing::typeName).sorted()
                    .collect(Collectors.joining(", ")));
        }
        return sb.toString();
    }

    private static String executable(Executable e, Type returnType, String name) {
        StringBuilder sb = new StringBuilder(modifiers(e.getModifiers() & ~Modifier.TRANSIENT & ~Modifier.VOLATILE));
        if (e instanceof Method m && m.isDefault()) {
            sb.append("default ");
        }
        String params = typeParameters(e.getTypeParameters());
        if (!params.isEmpty()) {
            sb.append(params.substring(1)).append(' ');
        }
        if (returnType != null) {
            sb.append(typeName(returnType)).append(' ');
        }
        Type[] parameterTypes = e.getGenericParameterTypes();
        if (parameterTypes.length != e.getParameterCount()) {
            parameterTypes = e.getParameterTypes();
        }
        List<String> parameters = new ArrayList<>();
        for (int i = 0; i < parameterTypes.length; i++) {
            String t = typeName(parameterTypes[i]);
            if (e.isVarArgs() && i == parameterTypes.length - 1 && t.endsWith("[]")) {
                t = t.substring(0, t.length() - 2) + "...";
            }
            parameters.add(t);
        }
        sb.append(name).append('(').append(String.join(", ", parameters)).append(')');
        Type[] exceptions = e.getGenericExceptionTypes();
        if (exceptions.length > 0) {
            sb.append(" throws ").append(Arrays.stream(exceptions).map(ApiListing::typeName).sorted()
                    .collect(Collectors.joining(", ")));
        }
        return sb.toString();
    }

    private static boolean visible(int modifiers) {
        return (modifiers & (Modifier.PUBLIC | Modifier.PROTECTED)) != 0;
    }

    private static String modifiers(int modifiers) {
        String s = Modifier.toString(modifiers & MEMBER_MODIFIERS);
        return s.isEmpty() ? "" : s + " ";
    }

    private static String typeParameters(TypeVariable<?>[] variables) {
        if (variables.length == 0) {
            return "";
        }
        return Arrays.stream(variables).map(v -> {
            List<String> bounds = Arrays.stream(v.getBounds()).filter(b -> b != Object.class).map(ApiListing::typeName).toList();
            return v.getName() + (bounds.isEmpty() ? "" : " extends " + String.join(" & ", bounds));
        }).collect(Collectors.joining(", ", "<", ">"));
    }

    private static String typeName(Type type) {
        return type.getTypeName().replace('$', '.');
    }
}
