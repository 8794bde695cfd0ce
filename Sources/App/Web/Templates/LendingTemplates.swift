/// Lending pages: the product catalogue and the cotizador.
enum LendingTemplates {
    static let products = """
        {{<layout}}{{$body}}
        <table id="productos">
          <thead><tr><th>Clave</th><th>Producto</th><th>Versión</th><th>Tasa anual</th><th>Base</th><th>Frecuencia</th><th>Método</th><th>Montos</th><th>Plazos</th><th>Comisión</th><th>IVA</th></tr></thead>
          <tbody>
          {{#products}}<tr><td><code>{{code}}</code></td><td>{{name}}</td><td>{{version}}</td><td>{{rate}}%</td><td>{{dayCount}}</td><td>{{frequency}}</td><td>{{method}}</td><td>{{amounts}}</td><td>{{terms}}</td><td>{{fee}}</td><td>{{iva}}%</td></tr>{{/products}}
          {{^products}}<tr><td colspan="11">Aún no hay productos. Se registran por la API (POST /api/v1/products).</td></tr>{{/products}}
          </tbody>
        </table>
        <p><a href="/cotizador">Cotizar un crédito</a></p>
        {{/body}}{{/layout}}
        """

    static let quote = """
        {{<layout}}{{$body}}
        <form method="get" action="/cotizador" class="filters">
          <label>Producto <select name="producto" id="producto">{{#products}}<option value="{{code}}"{{#selected}} selected{{/selected}}>{{name}} (v{{version}})</option>{{/products}}</select></label>
          <label>Monto <input name="monto" id="monto" value="{{form.monto}}" inputmode="decimal" maxlength="20" required></label>
          <label>Plazo (pagos) <input name="plazo" id="plazo" value="{{form.plazo}}" inputmode="numeric" maxlength="4" required></label>
          <label>Inicio <input name="inicio" type="date" value="{{form.inicio}}"></label>
          <button type="submit" id="cotizar">Cotizar</button>
        </form>
        {{#quote}}
        <section class="tiles">
          <div class="tile"><strong id="pago">{{payment}}</strong><span>pago {{frequency}}</span></div>
          <div class="tile"><strong id="cat">CAT {{cat}}%</strong><span>sin IVA. Para fines informativos y de comparación</span></div>
          <div class="tile"><strong>{{totalPaid}}</strong><span>total a pagar (intereses {{totalInterest}}, IVA {{totalIva}})</span></div>
        </section>
        <table id="tabla">
          <thead><tr><th>#</th><th>Vence</th><th>Pago</th><th>Interés</th><th>IVA</th><th>Capital</th><th>Saldo</th></tr></thead>
          <tbody>{{#rows}}<tr><td>{{number}}</td><td>{{dueDate}}</td><td>{{payment}}</td><td>{{interest}}</td><td>{{iva}}</td><td>{{principal}}</td><td>{{balance}}</td></tr>{{/rows}}</tbody>
        </table>
        {{/quote}}
        {{/body}}{{/layout}}
        """
}
