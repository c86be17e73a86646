/**
 * The project's program plus objects written the reference deployment's way (e2e/badResources.ts),
 * for the real-engine test that every policy of the pack fires. The CLI runs it like index.ts.
 */
import { main } from "../../../program";
import { registerBadResources } from "../../badResources";

export = async () => {
    const outputs = await main();
    registerBadResources();
    return outputs;
};
