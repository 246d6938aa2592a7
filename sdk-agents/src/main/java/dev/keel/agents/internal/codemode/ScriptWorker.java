package dev.keel.agents.internal.codemode;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import org.mozilla.javascript.Context;
import org.mozilla.javascript.ContextFactory;
import org.mozilla.javascript.EvaluatorException;
import org.mozilla.javascript.LambdaFunction;
import org.mozilla.javascript.NativeJSON;
import org.mozilla.javascript.RhinoException;
import org.mozilla.javascript.Script;
import org.mozilla.javascript.ScriptRuntime;
import org.mozilla.javascript.Scriptable;
import org.mozilla.javascript.ScriptableObject;
import org.mozilla.javascript.Undefined;

/**
 * The main class of the short-lived JVM that runs one code-mode program (see {@link ScriptRunner}, which starts it).
 * It reads the request (one JSON line) from stdin, runs the program in Rhino with no access to any Java class, and
 * talks to the host over stdin/stdout, one JSON object a line: {@code {"call":name,"arguments":{…}}} asks the host
 * to run a tool, the host answers {@code {"content":…,"error":bool}}; {@code {"done":…}} or {@code {"failed":…}}
 * ends the exchange. The host decides everything about a tool call; this process only computes.
 *
 * <p>Loaded only in that JVM: it is the one class of Keel that needs Rhino at run time.
 */
public final class ScriptWorker {
    /** Thrown from the instruction observer: a Java {@link Error}, so a script's try/catch/finally cannot hold it. */
    private static final class OverTime extends Error {
        private static final long serialVersionUID = 1L;

        OverTime() {
            super(null, null, false, false);
        }
    }

    /** Enforces the time limit every few thousand interpreted instructions; the clock stops during tool calls. */
    private static final class Limits extends ContextFactory {
        private final long limitNanos;
        private final int maxStackDepth;
        private long usedNanos;
        private long since = System.nanoTime();

        Limits(long limitNanos, int maxStackDepth) {
            this.limitNanos = limitNanos;
            this.maxStackDepth = maxStackDepth;
        }

        @Override
        protected Context makeContext() {
            Context cx = super.makeContext();
            cx.setLanguageVersion(Context.VERSION_ES6);
            cx.setInterpretedMode(true); // the instruction observer and the stack bound work in the interpreter only
            cx.setInstructionObserverThreshold(5_000);
            cx.setMaximumInterpreterStackDepth(maxStackDepth);
            cx.setClassShutter(className -> false); // no Java class is visible to scripts, none
            return cx;
        }

        @Override
        protected void observeInstructionCount(Context cx, int instructionCount) {
            if (used() > limitNanos) {
                throw new OverTime();
            }
        }

        long used() {
            return usedNanos + (since < 0 ? 0 : System.nanoTime() - since);
        }

        void pause() {
            usedNanos += System.nanoTime() - since;
            since = -1;
        }

        void resume() {
            since = System.nanoTime();
        }
    }

    /** Console output kept up to a bound; what is cut is counted. */
    private static final class Bounded {
        private final StringBuilder text = new StringBuilder();
        private final int max;
        private long dropped;

        Bounded(int max) {
            this.max = max;
        }

        void line(String s) {
            String withBreak = s + "\n";
            int room = max - text.length();
            if (room >= withBreak.length()) {
                text.append(withBreak);
            } else {
                text.append(withBreak, 0, Math.max(0, room));
                dropped += withBreak.length() - Math.max(0, room);
            }
        }

        String text() {
            return dropped == 0 ? text.toString() : text + "[truncated: " + dropped + " more characters]";
        }
    }

    private ScriptWorker() {}

    /**
     * Runs one program; see the class description for the exchange.
     *
     * @param args none
     * @throws IOException when the host's pipes fail
     */
    public static void main(String[] args) throws IOException {
        // Nothing a script does may reach the real stdout: it is the channel to the host.
        PrintStream channel = System.out;
        System.setOut(new PrintStream(PrintStream.nullOutputStream(), true, StandardCharsets.UTF_8));
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        Writer out = new OutputStreamWriter(channel, StandardCharsets.UTF_8);
        String first = in.readLine();
        if (first == null) {
            return;
        }
        try {
            run(first, in, out);
        } catch (OutOfMemoryError e) {
            send(out, "{\"failed\":\"the program ran out of memory\",\"kind\":\"memory\"}");
        } catch (StackOverflowError e) {
            send(out, "{\"failed\":\"the program nested too deeply\",\"kind\":\"stack\"}");
        }
    }

    private static void run(String request, BufferedReader in, Writer out) throws IOException {
        Context bootstrap = Context.enter();
        Scriptable protocol;
        Scriptable req;
        try {
            protocol = bootstrap.initSafeStandardObjects(null, true);
            req = (Scriptable) parse(bootstrap, protocol, request);
        } finally {
            Context.exit();
        }
        long limitMillis = ((Number) ScriptableObject.getProperty(req, "timeLimitMillis")).longValue();
        int maxCalls = ((Number) ScriptableObject.getProperty(req, "maxToolCalls")).intValue();
        int maxOutput = ((Number) ScriptableObject.getProperty(req, "maxOutputChars")).intValue();
        int maxStack = ((Number) ScriptableObject.getProperty(req, "maxStackDepth")).intValue();
        String source = (String) ScriptableObject.getProperty(req, "script");
        Scriptable functions = (Scriptable) ScriptableObject.getProperty(req, "functions");
        Limits limits = new Limits(limitMillis * 1_000_000L, maxStack);
        Bounded stdout = new Bounded(maxOutput);
        Bounded stderr = new Bounded(maxOutput);
        int[] calls = {0};
        Context cx = limits.enterContext();
        try {
            // Sealed: the built-ins (Object.prototype, JSON, Function…) cannot be changed by the program.
            ScriptableObject scope = cx.initSafeStandardObjects(null, true);
            // No way to grow the language from inside: nothing that loads code from elsewhere exists.
            for (String name : new String[] {"Packages", "java", "javax", "JavaAdapter", "JavaImporter", "importPackage",
                    "importClass", "getClass", "JavaException", "load", "print", "readFile", "readUrl", "runCommand", "spawn", "sync"}) {
                scope.delete(name);
            }
            Scriptable console = cx.newObject(scope);
            for (String level : new String[] {"log", "info", "debug", "warn", "error"}) {
                Bounded target = level.equals("warn") || level.equals("error") ? stderr : stdout;
                ScriptableObject.putProperty(console, level, new LambdaFunction(scope, level, 0,
                        (c, s, thisObj, a) -> {
                            StringBuilder line = new StringBuilder();
                            for (int i = 0; i < a.length; i++) {
                                line.append(i == 0 ? "" : " ").append(display(c, scope, a[i]));
                            }
                            target.line(line.toString());
                            return Undefined.instance;
                        }));
            }
            scope.defineProperty("console", console, ScriptableObject.DONTENUM);
            for (Object id : functions.getIds()) {
                String jsName = (String) id;
                String tool = (String) functions.get(jsName, functions);
                if (ScriptableObject.hasProperty(scope, jsName)) {
                    continue; // a tool named like a built-in (Object, JSON, console…) does not replace it
                }
                LambdaFunction f = new LambdaFunction(scope, jsName, 1, (c, s, thisObj, a) -> {
                    if (++calls[0] > maxCalls) {
                        throw ScriptRuntime.constructError("Error", "the program made more than " + maxCalls
                                + " tool calls, the limit of one program");
                    }
                    Object argument = a.length == 0 || Undefined.isUndefined(a[0]) ? c.newObject(scope) : a[0];
                    if (!(argument instanceof Scriptable) || argument instanceof org.mozilla.javascript.NativeArray
                            || argument instanceof org.mozilla.javascript.Function) {
                        throw ScriptRuntime.constructError("TypeError", "the argument of " + jsName
                                + "() must be an object of named arguments, like " + jsName + "({path: 'x'})");
                    }
                    Object json = NativeJSON.stringify(c, scope, argument, null, null);
                    if (!(json instanceof CharSequence) || !json.toString().startsWith("{")) {
                        throw ScriptRuntime.constructError("TypeError", "the argument of " + jsName
                                + "() has no JSON object form");
                    }
                    String line = "{\"call\":" + quote(c, protocol, tool) + ",\"arguments\":" + json + "}";
                    limits.pause();
                    String answer;
                    try {
                        send(out, line);
                        answer = in.readLine();
                    } catch (IOException e) {
                        throw new IllegalStateException("the host is gone", e);
                    } finally {
                        limits.resume();
                    }
                    if (answer == null) {
                        throw new IllegalStateException("the host closed the channel");
                    }
                    Scriptable reply = (Scriptable) parse(c, protocol, answer);
                    String content = String.valueOf(ScriptableObject.getProperty(reply, "content"));
                    if (Boolean.TRUE.equals(ScriptableObject.getProperty(reply, "error"))) {
                        throw ScriptRuntime.constructError("Error", tool + ": " + content);
                    }
                    String trimmed = content.strip();
                    if (trimmed.startsWith("{") || trimmed.startsWith("[")) {
                        try {
                            return parse(c, scope, trimmed);
                        } catch (IllegalArgumentException notJson) {
                            return content;
                        }
                    }
                    return content;
                });
                scope.defineProperty(jsName, f, ScriptableObject.DONTENUM);
            }
            send(out, "{\"ready\":true}"); // the host's clock for this program starts now, not at JVM start
            Script script;
            try {
                // Wrapped in a function so that the program can "return" its result, as docker-agent's scripts do;
                // line 1 of the program is line 1 in every message.
                script = cx.compileString("(function(){\n" + source + "\n})()", "program", 0, null);
            } catch (EvaluatorException e) {
                send(out, failure(cx, protocol, "SyntaxError at line " + e.lineNumber() + ": " + e.details(),
                        "syntax", stdout, stderr));
                return;
            }
            String result;
            try {
                Object value = script.exec(cx, scope, scope);
                result = Undefined.isUndefined(value) ? "" : value instanceof CharSequence ? value.toString()
                        : String.valueOf(NativeJSON.stringify(cx, scope, value, null, null));
            } catch (OverTime e) {
                send(out, failure(cx, protocol, "the program ran longer than its time limit of " + limitMillis
                        + " ms (its tool calls not counted)", "time", stdout, stderr));
                return;
            } catch (RhinoException e) {
                String where = e.lineNumber() > 0 ? " (line " + e.lineNumber() + ")" : "";
                send(out, failure(cx, protocol, e.details() + where, e instanceof EvaluatorException
                        && e.details().contains("stack depth") ? "stack" : "error", stdout, stderr));
                return;
            }
            if (result.length() > maxOutput) {
                result = result.substring(0, maxOutput) + "[truncated: " + (result.length() - maxOutput)
                        + " more characters]";
            }
            Scriptable done = cx.newObject(protocol);
            ScriptableObject.putProperty(done, "done", true);
            ScriptableObject.putProperty(done, "value", result);
            ScriptableObject.putProperty(done, "stdout", stdout.text());
            ScriptableObject.putProperty(done, "stderr", stderr.text());
            send(out, String.valueOf(NativeJSON.stringify(cx, protocol, done, null, null)));
        } finally {
            Context.exit();
        }
    }

    private static String failure(Context cx, Scriptable protocol, String message, String kind, Bounded stdout,
                                  Bounded stderr) {
        Scriptable failed = cx.newObject(protocol);
        ScriptableObject.putProperty(failed, "failed", message);
        ScriptableObject.putProperty(failed, "kind", kind);
        ScriptableObject.putProperty(failed, "stdout", stdout.text());
        ScriptableObject.putProperty(failed, "stderr", stderr.text());
        return String.valueOf(NativeJSON.stringify(cx, protocol, failed, null, null));
    }

    /** JSON.parse without the global JSON object (a program may have replaced it); the reviver keeps every value. */
    private static Object parse(Context cx, Scriptable scope, String json) {
        try {
            return NativeJSON.parse(cx, scope, json, new LambdaFunction(scope, "keep", 2, (c, s, t, a) -> a[1]));
        } catch (RhinoException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    private static String quote(Context cx, Scriptable protocol, String s) {
        return String.valueOf(NativeJSON.stringify(cx, protocol, s, null, null));
    }

    /** How console.* shows a value: strings as they are, everything else as JSON when it has a JSON form. */
    private static String display(Context cx, Scriptable scope, Object value) {
        if (value instanceof CharSequence) {
            return value.toString();
        }
        if (value instanceof Scriptable && !(value instanceof org.mozilla.javascript.Function)) {
            Object json = NativeJSON.stringify(cx, scope, value, null, null);
            if (!Undefined.isUndefined(json)) {
                return json.toString();
            }
        }
        return ScriptRuntime.toString(value);
    }

    private static void send(Writer out, String line) throws IOException {
        out.write(line);
        out.write('\n');
        out.flush();
    }
}
