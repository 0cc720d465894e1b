/** Where the built client lives (shared by the build script and the server, which must not load esbuild). */
import path from 'path';

export const WEB_ROOT = path.resolve(__dirname, '../../build/web');
