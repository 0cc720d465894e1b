/** Entry point of the browser bundle (built by `src/web/build.ts`). */
import { startApp } from './app';

startApp();
