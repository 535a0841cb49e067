/**
 * The tabs that decode (interpolation, traversal, manifold grid, features) for a session that
 * cannot: the session's own reason in place of controls that could only fail.
 */
import type { Session } from '../../../shared/protocol';
import { notice } from '../../common/ui/controls';
import { View } from './view';

class NoDecoderView extends View {
  constructor(what: string, reason: string) {
    super('no-decoder-view');
    this.element.append(notice(`${what} decodes latents into images, which this session cannot do — ${reason}.`));
  }

  shown(): void {
    // Nothing to build: the reason is all there is.
  }
}

/** The view `make` builds when the session decodes; otherwise one that says why it cannot. */
export function decodingView(session: Session, what: string, make: () => View): View {
  return session.noDecoderReason === undefined ? make() : new NoDecoderView(what, session.noDecoderReason);
}
