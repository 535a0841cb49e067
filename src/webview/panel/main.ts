/** Webview entry: registers the UI components and starts the panel. */
import '../common/ui/elements';
import './styles.css';
import { App } from './app';

new App(document.getElementById('app') ?? document.body).start();
