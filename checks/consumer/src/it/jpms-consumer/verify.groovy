// Checks the consumer build: (1) javac's warnings under -Xlint:all are only the one LangChain4j causes,
// (2) dependency resolution with the BOM imported gives one Jackson version (and one OkHttp version).
def lines = new File(basedir, 'build.log').readLines()
def from = lines.findIndexOf { it.contains('maven-compiler-plugin') || it ==~ /.*--- compiler:.*:compile .*/ }
def to = lines.findIndexOf(from + 1) { it.startsWith('[INFO] ---') }
assert from >= 0 && to > from : 'no compile step in build.log'
def warnings = lines.subList(from, to).findAll { it.startsWith('[WARNING]') && it.trim() != '[WARNING]' }
// langchain4j-core's jar has no module name of its own (no Automatic-Module-Name), so the consumer's own
// 'requires langchain4j.core' is a 'requires-automatic' lint, and maven-compiler-plugin adds its banner
// about filename-based automodules. Both name LangChain4j; everything else is a failure.
def lc4jLine = new File(basedir, 'src/main/java/module-info.java').readLines().findIndexOf { it.contains('langchain4j.core') } + 1
def expected = { String w ->
    (w.contains('module-info.java:[' + lc4jLine + ',') && w.contains('requires directive for an automatic module')) ||
            w.contains('filename-based automodules detected: [langchain4j-core-') || w ==~ /\[WARNING\] \*+/
}
def unexpected = warnings.findAll { !expected(it) }
assert unexpected.isEmpty() : "warnings in the consumer's compile step:\n" + unexpected.join('\n')

def resolved = new File(basedir, 'target/resolved.txt').readLines().collect { it.trim() }.findAll { it ==~ /[\w.\-]+:[\w.\-]+:jar:.*/ }
assert !resolved.isEmpty() : 'dependency:list wrote nothing'
def versions = { String groupPrefix ->
    resolved.findAll { it.startsWith(groupPrefix) }.collect { it.split(':')[3] }
}
def jackson = versions('com.fasterxml.jackson.')
assert !jackson.isEmpty() : 'no Jackson artifact resolved'
// jackson-annotations is versioned major.minor since 2.20; the family is one when major.minor agrees
def jacksonFamilies = jackson.collect { it.split('\\.').take(2).join('.') }.toSet()
assert jacksonFamilies.size() == 1 : "mixed Jackson versions: " + resolved.findAll { it.startsWith('com.fasterxml.jackson.') }
def okhttp = versions('com.squareup.okhttp3:').toSet()
assert okhttp.size() == 1 : "mixed OkHttp versions: " + okhttp
// run it on the module path, as a JPMS application: Keel's modules resolve, and the optional SIMD kernel is
// found when the JVM has the incubator module (dev.keel.rag reads it at run time, it does not require it)
def modulePath = new File(basedir, 'target/classes').path + File.pathSeparator + new File(basedir, 'target/module-path.txt').text.trim()
def java = new File(System.getProperty('java.home'), 'bin/java').path
def run = [java, '--module-path', modulePath, '--add-modules', 'jdk.incubator.vector',
           '-m', 'com.example.consumer/dev.keel.consumer.App'].execute()
def out = new StringBuilder(), err = new StringBuilder()
run.waitForProcessOutput(out, err)
assert run.exitValue() == 0 : "the consumer failed on the module path:\n" + out + err
assert out.toString().contains('agent=root') : out
assert out.toString() =~ /kernel=vector-api-\d+/ : "SIMD kernel not used on the module path: " + out
println "consumer check: javac warnings outside LangChain4j's: none; Jackson ${jacksonFamilies}; OkHttp ${okhttp}; ${resolved.size()} artifacts"
return true
