package dev.keel.agents.internal.codemode;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.agents.CodeMode;
import dev.keel.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The code-mode sandbox on its own, attacked like a hostile program would: no Java, no host process state, bounded
 * time, memory, stack, output and tool calls, each ending with a clear failure while this JVM stays healthy.
 */
class ScriptRunnerTest {
    private static final CodeMode LIMITS = CodeMode.defaults().withTimeLimit(Duration.ofSeconds(3)).withMaxToolCalls(5)
            .withMaxOutputChars(2_000);
    private final List<String> calls = new CopyOnWriteArrayList<>();

    private ScriptRunner.Outcome run(String script) {
        return ScriptRunner.run(script, Map.of("echo", "echo", "Echo", "echo", "fails", "fails"), LIMITS,
                (tool, args) -> {
                    calls.add(tool + " " + args.toJson());
                    return tool.equals("fails") ? new ScriptRunner.Reply("no such file", true)
                            : new ScriptRunner.Reply(args.toJson(), false);
                });
    }

    @Test
    void toolsAreFunctionsWhoseJsonResultsComeBackParsed() {
        ScriptRunner.Outcome o = run("""
                var a = echo({n: 1});
                var b = Echo({n: a.n + 1, s: 'x'});
                console.log('sum', a.n + b.n);
                console.error({warn: true});
                return [a.n, b.n, b.s];
                """);
        assertThat(o.failure()).isNull();
        assertThat(o.value()).isEqualTo("[1,2,\"x\"]");
        assertThat(o.stdout()).isEqualTo("sum 3\n");
        assertThat(o.stderr()).isEqualTo("{\"warn\":true}\n");
        assertThat(calls).containsExactly("echo {\"n\":1}", "echo {\"n\":2,\"s\":\"x\"}");
    }

    @Test
    void aFailedToolCallThrowsAnErrorTheProgramCanCatch() {
        ScriptRunner.Outcome o = run("try { fails({path: 'a'}); return 'no'; } catch (e) { return 'caught: ' + e.message; }");
        assertThat(o.value()).isEqualTo("caught: fails: no such file");
    }

    @Test
    void aSyntaxErrorNamesItsLine() {
        ScriptRunner.Outcome o = run("var a = 1;\nvar b = ;\nreturn a;");
        assertThat(o.failure()).startsWith("SyntaxError at line 2:");
        assertThat(calls).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "return java.lang.Runtime.getRuntime().exec('touch /tmp/keel-pwned');",
            "return Packages.java.lang.System.exit(3);",
            "java.lang.System.exit(3); return 'still here';",
            "return importPackage(java.io);",
            "return new JavaAdapter(java.lang.Runnable, {run: function(){}});",
            "return echo.getClass().forName('java.lang.Runtime');",
            "return (function(){}).constructor.constructor('return java')().lang.System.exit(1);",
            "return Function('return this')().Packages.java.lang.System.exit(1);",
            "return eval('java.lang.System').exit(1);",
            "return ({}).constructor.constructor('return Packages')().java.lang.Runtime;",
            "return load('/etc/passwd');",
            "return print('x');",
            "return this.getClass().getClassLoader();",
            "return echo.__proto__.constructor('return java.lang.Runtime')();",
            "return new (Function.prototype.constructor)('return readFile(\"/etc/passwd\")')();",
    })
    void noEscapeReachesJava(String attack) {
        ScriptRunner.Outcome o = run(attack);
        assertThat(o.failure()).as(attack).isNotNull().doesNotContain("exit code");
        assertThat(o.value()).isNull();
        assertThat(calls).isEmpty();
        assertThat(java.nio.file.Files.exists(java.nio.file.Path.of("/tmp/keel-pwned"))).isFalse();
    }

    @Test
    void theProgramSeesNoEnvironmentAndNoJavaObjects() {
        ScriptRunner.Outcome o = run("""
                var g = Function('return this')();
                return Object.getOwnPropertyNames(g).filter(function(n){ return /java|Packages|load|print|read|run|spawn|environment|arguments/i.test(n); }).join(',');
                """);
        assertThat(o.failure()).isNull();
        assertThat(o.value()).isEmpty();
    }

    @Test
    void builtInsAreSealedAndReplacingAToolFunctionFoolsOnlyTheProgram() {
        ScriptRunner.Outcome o = run("""
                var refused = [];
                function attempt(name, f) { try { f(); } catch (e) { refused.push(name); } }
                attempt('proto', function() { Object.prototype.call = 'fails'; });
                attempt('toJSON', function() { Object.prototype.toJSON = function() { return {cmd: 'rm -rf /'}; }; });
                attempt('json', function() { JSON.stringify = function() { return '{"cmd":"rm -rf /"}'; }; });
                attempt('fn', function() { Function.prototype.call = function() { return 'hijacked'; }; });
                echo = function() { return 'faked'; };
                return refused.join(',') + ' ' + Echo({path: 'a'}).path + ' ' + echo() + ' ' + ({}).call;
                """);
        assertThat(o.failure()).isNull();
        assertThat(o.value()).isEqualTo("proto,toJSON,json,fn a faked undefined");
        assertThat(calls).containsExactly("echo {\"path\":\"a\"}");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "while (true) {}",
            "while (true) { try { while (true) {} } catch (e) {} finally { continue; } }",
            "for (;;) { try { for(;;){} } catch (e) { } }",
    })
    void endlessLoopsEndAtTheTimeLimit(String loop) {
        ScriptRunner.Outcome o = run(loop);
        assertThat(o.failure()).contains("time limit of 3000 ms");
    }

    @Test
    void aNativeLoopThatIgnoresTheInterpreterIsKilled() {
        ScriptRunner.Outcome o = run("return new Array(2000000000).join('x').length;");
        assertThat(o.failure()).satisfiesAnyOf(f -> assertThat(f).contains("time limit"),
                f -> assertThat(f).contains("memory"), f -> assertThat(f).contains("Invalid array length"));
        assertThat(Runtime.getRuntime().freeMemory()).isPositive();
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "var s = 'x'; while (true) { s = s + s; s.charAt(s.length - 1); }",
            "var a = []; while (true) { a.push(new Array(100000).fill(1)); }",
            "return 'x'.repeat(1 << 29).length;",
    })
    void hugeAllocationsEndWithoutHurtingTheHost(String hog) {
        ScriptRunner.Outcome o = run(hog);
        assertThat(o.failure()).isNotNull();
        assertThat(o.failure()).containsAnyOf("memory", "time limit", "Invalid", "too large", "range");
    }

    @Test
    void deepRecursionIsBounded() {
        ScriptRunner.Outcome o = run("function f(n) { return f(n + 1) + 1; } return f(0);");
        assertThat(o.failure()).containsIgnoringCase("stack");
    }

    @Test
    void toolCallsAreBounded() {
        ScriptRunner.Outcome o = run("for (var i = 0; i < 100; i++) { echo({i: i}); } return 'all';");
        assertThat(o.failure()).contains("more than 5 tool calls");
        assertThat(calls).hasSize(5);
    }

    @Test
    void outputIsBounded() {
        ScriptRunner.Outcome o = run("for (var i = 0; i < 10000; i++) { console.log('line ' + i); } return 'y'.repeat(50000);");
        assertThat(o.failure()).isNull();
        assertThat(o.stdout()).hasSizeLessThan(2_100).contains("[truncated:");
        assertThat(o.value()).hasSizeLessThan(2_100).endsWith("more characters]");
    }

    @Test
    void argumentsMustBeAnObject() {
        ScriptRunner.Outcome o = run("return echo('rm -rf /');");
        assertThat(o.failure()).contains("must be an object");
        assertThat(calls).isEmpty();
    }

    @Test
    void aToolNamedLikeABuiltInDoesNotReplaceIt() {
        ScriptRunner.Outcome o = ScriptRunner.run("return typeof JSON.parse + ' ' + typeof console.log", Map.of("JSON", "JSON",
                "console", "console"), LIMITS, (t, a) -> new ScriptRunner.Reply("x", false));
        assertThat(o.value()).isEqualTo("function function");
    }

    @Test
    void theHostJvmIsHealthyAfterwards() {
        run("while(true){}");
        ScriptRunner.Outcome o = run("return 1 + 1;");
        assertThat(o.value()).isEqualTo("2");
        JsonObject.parse("{}"); // this JVM still works
    }
}
