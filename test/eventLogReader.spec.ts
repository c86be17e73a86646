/**
 * e2e/guardedUp.ts `eventLogReader`: the CLI writes `--event-log` anew for each engine operation (`pulumi up` with its
 * preview writes the preview's events, then the update's in their place); the reader returns each complete line once,
 * and starts again from the top when the file was rewritten, however far the new content has grown.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { eventLogReader } from "../e2e/guardedUp";

const line = (sequence: number, planning: boolean) => `${JSON.stringify({ sequence, timestamp: 0, resourcePreEvent: { metadata: { urn: `u${sequence}` }, planning } })}\n`;

describe("the event log reader (e2e/guardedUp.ts)", () => {
    let dir: string;
    let file: string;
    beforeEach(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "event-log-"));
        file = path.join(dir, "events.jsonl");
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    const seqs = (events: ReturnType<ReturnType<typeof eventLogReader>>) => events.map((e) => `${e.sequence}${e.resourcePreEvent?.planning === true ? "p" : ""}`);

    it("returns nothing before the file exists, then each complete line once, holding back a partial one", () => {
        const read = eventLogReader(file);
        assert.deepStrictEqual(read(), []);
        fs.writeFileSync(file, line(0, true) + line(1, true).slice(0, 10));
        assert.deepStrictEqual(seqs(read()), ["0p"]);
        assert.deepStrictEqual(read(), []);
        fs.writeFileSync(file, line(0, true) + line(1, true) + line(2, true));
        assert.deepStrictEqual(seqs(read()), ["1p", "2p"]);
    });

    it("reads from the top again when the file was rewritten shorter, or longer with no line end where the last read ended", () => {
        const read = eventLogReader(file);
        fs.writeFileSync(file, line(0, true) + line(1, true) + line(2, true));
        assert.deepStrictEqual(seqs(read()), ["0p", "1p", "2p"]);
        fs.writeFileSync(file, line(0, false));
        assert.deepStrictEqual(seqs(read()), ["0"], "shorter");
        const preview = line(0, true) + line(1, true);
        fs.writeFileSync(file, preview);
        const again = eventLogReader(file);
        assert.deepStrictEqual(seqs(again()), ["0p", "1p"]);
        // The update's lines are longer than the preview's ("planning":false): no line ends where the preview's did.
        const update = line(0, false) + line(1, false) + line(2, false) + line(3, false);
        assert.notStrictEqual(update[preview.length - 1], "\n");
        fs.writeFileSync(file, update);
        assert.deepStrictEqual(seqs(again()), ["0", "1", "2", "3"], "longer");
    });
});
