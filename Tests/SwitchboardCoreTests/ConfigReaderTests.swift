import Foundation
import SwitchboardCore
import Testing

@Suite("Config reader")
struct ConfigReaderTests {
    func reader(_ values: [String: ConfigValue], env: [String: String] = [:]) -> ConfigReader {
        ConfigReader(values, path: "channels[2]", problems: ConfigReader.Problems(), environment: env)
    }

    @Test("every problem is reported with its key path")
    func collectsAll() {
        let config = reader(["port": .string("eighty"), "mode": .string("fast"), "typo": .bool(true), "nested": .int(3)])
        _ = config.int("port", default: 1)
        _ = config.choice("mode", ["full", "normal"], default: "full")
        _ = config.string("required", required: true)
        _ = config.child("nested")
        config.rejectUnknownKeys()
        let paths = config.problems.all.map(\.path)
        #expect(paths == ["channels[2].port", "channels[2].mode", "channels[2].required", "channels[2].nested", "channels[2].typo"])
    }

    @Test("secrets come from the environment, files or inline")
    func secrets() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("secret-\(UUID().uuidString)")
        try Data("from-file\n".utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let config = reader(
            ["a": .string("env:MY_SECRET"), "b": .string("file:\(file.path)"), "c": .string("inline"), "d": .string("env:MISSING")],
            env: ["MY_SECRET": "from-env"])
        #expect(config.secret("a") == "from-env")
        #expect(config.secret("b") == "from-file")
        #expect(config.secret("c") == "inline")
        #expect(config.secret("d") == nil)
        #expect(config.problems.all.map(\.description) == ["channels[2].d: environment variable MISSING is not set"])
    }

    @Test("ranges and types are enforced")
    func ranges() {
        let config = reader(["n": .int(0), "b": .string("maybe"), "list": .list([.int(1)])])
        #expect(config.int("n", default: 5, range: 1...10) == 5)
        #expect(config.bool("b", default: true) == true)
        #expect(config.list("list").isEmpty)
        #expect(config.problems.all.count == 3)
        #expect(config.problems.all.map(\.path).contains("channels[2].list[0]"))
    }
}
