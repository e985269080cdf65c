// Hardhat 3: only the local devnet node (chain 31337) is used; contracts are compiled with solc-js by our own script.
import { defineConfig } from 'hardhat/config';

export default defineConfig({});
