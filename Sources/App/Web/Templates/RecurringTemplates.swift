/// Domiciliación: the back office's authorisations and their due-date charges, the retry days, and the borrower's
/// side in the portal (the authorisation, cancelling it, notices).
enum RecurringTemplates {
    static let list = """
        {{<layout}}{{$body}}
        <p>Tarjetas que los acreditados guardaron con una pasarela y autorizaron cargar en cada fecha de pago. Los cobros
        que fallan se reintentan los días {{retryDays}} después del vencimiento{{#canConfigure}} (<a href="/ajustes/domiciliacion">cambiar</a>){{/canConfigure}}.</p>
        <form method="get" action="/domiciliaciones" class="filters">
          <label>Estado <select name="estado"><option value="">Todas</option>{{#statuses}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/statuses}}</select></label>
          <button type="submit">Filtrar</button>
        </form>
        <table id="domiciliaciones">
          <thead><tr><th>Domiciliación</th><th>Crédito</th><th>Pasarela</th><th>Tarjeta</th><th>Máximo por cargo</th><th>Estado</th><th>Autorizada</th></tr></thead>
          <tbody>{{#mandates}}<tr><td><a href="/domiciliaciones/{{id}}">{{id}}</a></td><td><a href="/creditos/{{loanId}}">{{loanId}}</a></td><td>{{provider}}</td><td>{{card}}</td><td>{{maxAmount}}</td><td>{{status}}</td><td>{{authorisedAt}}</td></tr>{{/mandates}}
          {{^mandates}}<tr><td colspan="7">Aún no hay domiciliaciones.</td></tr>{{/mandates}}</tbody>
        </table>
        <h2>Cobros recientes</h2>
        {{>recurring_charges}}
        {{/body}}{{/layout}}
        """

    /// A table of due-date charges.
    static let charges = """
        <table id="cobros-domiciliados">
          <thead><tr><th>Crédito</th><th>Pago</th><th>Vencimiento</th><th>Intentos</th><th>Monto</th><th>Estado</th><th>Próximo intento</th><th>Último error</th><th>Pago en línea</th></tr></thead>
          <tbody>{{#charges}}<tr{{#attention}} class="attention"{{/attention}}><td><a href="/creditos/{{loanId}}">{{loanId}}</a></td><td>{{installment}}</td><td>{{dueDate}}</td><td>{{attempts}}</td><td>{{amount}}</td><td>{{status}}</td><td>{{nextAttemptOn}}</td><td>{{lastError}}</td><td>{{#intentId}}<a href="/pagos-en-linea/{{intentId}}">{{intentId}}</a>{{/intentId}}{{#canResolve}}
            <form method="post" action="/domiciliaciones/{{mandateId}}/cobros/{{id}}/revisado"><input type="hidden" name="csrf" value="{{csrf}}">
            <input name="nota" required maxlength="500" placeholder="Lo que confirmó la pasarela"><button type="submit">Revisado</button></form>{{/canResolve}}</td></tr>{{/charges}}
          {{^charges}}<tr><td colspan="9">Aún no hay cobros domiciliados.</td></tr>{{/charges}}</tbody>
        </table>
        """

    static let detail = """
        {{<layout}}{{$body}}
        <dl class="facts" id="domiciliacion">
          <dt>Crédito</dt><dd><a href="/creditos/{{mandate.loanId}}">{{mandate.loanId}}</a></dd>
          <dt>Pasarela</dt><dd>{{provider}}</dd>
          <dt>Tarjeta</dt><dd>{{card}}</dd>
          <dt>Máximo por cargo</dt><dd>{{maxAmount}}</dd>
          <dt>Estado</dt><dd id="estado">{{mandate.statusLabel}}{{#mandate.revokeReason}} — {{mandate.revokeReason}} ({{mandate.revokedAt}}, {{mandate.revokedBy}}){{/mandate.revokeReason}}</dd>
          <dt>Autorizada</dt><dd>{{mandate.authorisedAt}} por {{mandate.authorisedBy}} ({{channel}})</dd>
          <dt>Autorización</dt><dd id="autorizacion">{{mandate.consent}}</dd>
        </dl>
        <h2>Cobros</h2>
        {{>recurring_charges}}
        {{#canRevoke}}
        <form method="post" action="/domiciliaciones/{{mandate.id}}/cancelar" class="card" id="cancelar-domiciliacion">
          <input type="hidden" name="csrf" value="{{csrf}}">
          <h2>Cancelar la domiciliación</h2>
          <p>No se harán más cargos a la tarjeta (un cargo ya enviado termina) y la tarjeta se borra de la pasarela.</p>
          <label>Motivo <input name="motivo" required maxlength="500"></label>
          <button type="submit">Cancelar domiciliación</button>
        </form>
        {{/canRevoke}}
        <p><a href="/domiciliaciones">Volver a las domiciliaciones</a></p>
        {{/body}}{{/layout}}
        """

    static let settings = """
        {{<layout}}{{$body}}
        <form method="post" action="/ajustes/domiciliacion" class="card" id="reintentos">
          <input type="hidden" name="csrf" value="{{csrf}}">
          <p>Cuando un cargo domiciliado no pasa (fondos insuficientes, tarjeta rechazada), se intenta de nuevo estos días
          después de la fecha de pago; después del último, el pago queda pendiente y se avisa al acreditado.</p>
          <label>Días de reintento (de 1 a 60, en orden; por ejemplo 2, 5, 8) <input name="dias" value="{{retryDays}}" required></label>
          <button type="submit">Guardar</button>
        </form>
        <p><a href="/domiciliaciones">Volver a las domiciliaciones</a></p>
        {{/body}}{{/layout}}
        """

    /// The portal's loan page adds this: the borrower's authorisation, to cancel at any time.
    static let portalMandate = """
        <h2>Domiciliación</h2>
        {{#mandate}}
        <div class="card" id="mi-domiciliacion">
          <p>Cargamos el monto exigible de este crédito a su tarjeta <strong>{{card}}</strong> en cada fecha de pago{{#maxAmount}}, hasta {{maxAmount}} por cargo{{/maxAmount}}.</p>
          <p>Autorizada el {{authorisedAt}}. Si un cargo no pasa, lo intentamos de nuevo {{retryDays}} días después de la fecha de pago.</p>
          <form method="post" action="/portal/creditos/{{loanId}}/domiciliacion/cancelar">
            <input type="hidden" name="csrf" value="{{csrf}}">
            <button type="submit">Cancelar la domiciliación</button>
          </form>
        </div>
        {{/mandate}}
        {{^mandate}}<p>Este crédito no tiene domiciliación.{{#canSetUpMandate}} Para que sus pagos se carguen solos a su tarjeta en cada fecha de pago,
        <a href="/portal/creditos/{{mandateLoanId}}/domiciliacion" id="domiciliar">domicilie sus pagos</a>.{{/canSetUpMandate}}{{^canSetUpMandate}} Para que sus
        pagos se carguen solos a su tarjeta, regístrela desde la aplicación de la financiera o pídalo a su asesor.{{/canSetUpMandate}}</p>{{/mandate}}
        """

    /// Domiciliación from the portal, step one: the gateway where the card is saved and the most one charge may take.
    static let portalSetup = """
        {{<layout}}{{$body}}
        {{#activeCard}}<p>Este crédito ya se carga a su tarjeta {{activeCard}}. Para usar otra, cancele primero la domiciliación en su crédito.</p>{{/activeCard}}
        {{^activeCard}}{{#canSetUp}}
        <form method="post" action="/portal/creditos/{{loanId}}/domiciliacion" class="card" id="domiciliar-pagos">
          <input type="hidden" name="csrf" value="{{csrf}}">
          <p>Con la domiciliación, el monto exigible de su crédito {{loanId}} se carga a su tarjeta en cada fecha de pago. Registrará la
          tarjeta en la página segura de la pasarela; Cartera no ve ni guarda sus datos. Puede cancelarla cuando quiera.</p>
          <fieldset><legend>¿Dónde registrará su tarjeta?</legend>
            {{#providers}}<label><input type="radio" name="pasarela" value="{{value}}"{{#checked}} checked{{/checked}}> {{label}}</label>{{/providers}}
          </fieldset>
          <label>Monto máximo por cargo (opcional) <input name="maximo" inputmode="decimal" placeholder="5000.00" value="{{maxAmount}}"></label>
          <button type="submit">Continuar</button>
        </form>
        {{/canSetUp}}
        {{^canSetUp}}<p>La financiera aún no ofrece registrar la tarjeta en el portal. Pídalo a su asesor.</p>{{/canSetUp}}
        {{/activeCard}}
        <p><a href="/portal/creditos/{{loanId}}">Volver a mi crédito</a></p>
        {{/body}}{{/layout}}
        """

    /// Step two: the authorisation, word for word, to accept before going to the gateway's page.
    static let portalSetupConfirm = """
        {{<layout}}{{$body}}
        <form method="post" action="/portal/creditos/{{loanId}}/domiciliacion" class="card" id="aceptar-domiciliacion">
          <input type="hidden" name="csrf" value="{{csrf}}">
          <input type="hidden" name="pasarela" value="{{providerValue}}">
          <input type="hidden" name="maximo" value="{{maxAmount}}">
          <input type="hidden" name="autorizacion" value="{{consent}}">
          <h2>Autorización de cargos a su tarjeta</h2>
          <blockquote id="autorizacion">{{consent}}</blockquote>
          <p>Registrará la tarjeta en la página segura de {{provider}}.</p>
          <label><input type="checkbox" name="acepto" value="si" required> Leí y acepto esta autorización</label>
          <button type="submit">Aceptar e ir a registrar mi tarjeta</button>
        </form>
        <p><a href="/portal/creditos/{{loanId}}/domiciliacion">Cambiar la pasarela o el monto</a> · <a href="/portal/creditos/{{loanId}}">Volver a mi crédito</a></p>
        {{/body}}{{/layout}}
        """

    /// Step three: the way to the gateway's page.
    static let portalSetupGo = """
        {{<layout}}{{$body}}
        <div class="voucher card" id="registrar-tarjeta">
          <p>Su autorización quedó registrada. Ahora escriba los datos de su tarjeta en la página segura de {{provider}}; Cartera no los ve
          ni los guarda. No se cobra nada al registrarla. Al terminar, {{provider}} lo regresará aquí.</p>
          <p><a href="{{cardPage}}" id="ir-a-registrar" class="button">Registrar mi tarjeta en {{provider}}</a></p>
          <p>La página está abierta durante una hora.</p>
        </div>
        <p><a href="/portal/creditos/{{loanId}}">Volver a mi crédito sin registrar la tarjeta</a></p>
        {{/body}}{{/layout}}
        """

    /// Where the gateway's page sends the borrower back.
    static let setupReturn = """
        {{<layout}}{{$body}}
        <div class="voucher card" id="regreso-domiciliacion">
          <p>Estado: <strong id="estado">{{status}}</strong></p>
          {{#completed}}<p>Listo: cargaremos el monto exigible de su crédito a su tarjeta <strong id="tarjeta">{{card}}</strong> en cada fecha de pago.
          Puede cancelar la domiciliación cuando quiera desde su crédito en el portal.</p>{{/completed}}
          {{#open}}<p>{{provider}} aún no nos confirma su tarjeta. Si no la registró, <a href="{{cardPage}}" id="ir-a-registrar">regístrela en {{provider}}</a>;
          si ya lo hizo, vuelva a esta página en unos momentos.</p>{{/open}}
          {{#ended}}<p>No se registró la tarjeta{{#error}}: {{error}}{{/error}}. Puede intentarlo de nuevo desde su crédito.</p>{{/ended}}
        </div>
        <p><a href="/portal" id="ver-en-el-portal">Ir a mis créditos</a></p>
        {{/body}}{{/layout}}
        """

    /// The portal's home adds this: the latest notices.
    static let portalNotices = """
        {{#hasNotices}}
        <h2>Avisos</h2>
        <ul id="avisos" class="notices">{{#notices}}<li><strong>{{title}}</strong> <small>{{createdAt}}</small><br>{{body}}</li>{{/notices}}</ul>
        {{/hasNotices}}
        """
}
